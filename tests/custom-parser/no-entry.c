/* A shared library without vf_custom_parser_v1: vfinfer must refuse it with a clear error. */
int vf_not_a_parser(void);

int vf_not_a_parser(void)
{
  return 0;
}
