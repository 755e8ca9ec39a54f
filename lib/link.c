/* vidflow: linking with pad specs, including pads that appear later (decodebin, demuxers).
 *
 * A pad spec is "" (any compatible pad), a pad name, or a template name ("sink_%u"). Request pads
 * on the sink side are requested only when a source pad exists to link them to, so a source that
 * never produces a pad leaves no unfed request pad behind (a muxer would wait on it forever). */
#include "error-private.h"
#include "link-private.h"

#include <vidflow/meta.h>

typedef struct {
  GstElement *src;
  GstElement *sink;
  char *src_spec;
  char *sink_spec;
  gboolean linked;
  gint refs;     /* one per signal handler that shares the record */
  GString *seen; /* pads that appeared but did not fit, for the error message */
} DelayedLink;

static gboolean spec_empty(const char *spec)
{
  return spec == NULL || *spec == '\0';
}

static char *caps_string(GstPad *pad)
{
  GstCaps *caps = gst_pad_query_caps(pad, NULL);
  char *s = gst_caps_to_string(caps);
  gst_caps_unref(caps);
  return s;
}

static char *list_pads(GstElement *element, GstPadDirection direction)
{
  GString *s = g_string_new(NULL);
  GList *l = gst_element_class_get_pad_template_list(GST_ELEMENT_GET_CLASS(element));
  for (; l; l = l->next) {
    GstPadTemplate *t = l->data;
    if (GST_PAD_TEMPLATE_DIRECTION(t) != direction)
      continue;
    static const char *presence[] = { "always", "sometimes", "request" };
    g_string_append_printf(s, "%s%s (%s)", s->len ? ", " : "", GST_PAD_TEMPLATE_NAME_TEMPLATE(t),
                           presence[GST_PAD_TEMPLATE_PRESENCE(t)]);
  }
  return g_string_free(s, s->len == 0);
}

static void no_such_pad(GstElement *element, const char *spec, GstPadDirection direction,
                        GError **error)
{
  char *pads = list_pads(element, direction);
  g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
              "element '%s' has no %s pad '%s'; its %s pads: %s", GST_ELEMENT_NAME(element),
              direction == GST_PAD_SRC ? "source" : "sink", spec,
              direction == GST_PAD_SRC ? "source" : "sink", pads ? pads : "none");
  g_free(pads);
}

/* Can every structure of `caps` only be a vidflow batch (video/x-raw(meta:VfBatch))? */
static gboolean only_batches(const GstCaps *caps)
{
  gboolean batch = caps && !gst_caps_is_any(caps) && !gst_caps_is_empty(caps);
  for (guint i = 0; batch && i < gst_caps_get_size(caps); i++) {
    GstCapsFeatures *f = gst_caps_get_features(caps, i);
    batch = f && gst_caps_features_contains(f, VF_CAPS_FEATURE_META_BATCH);
  }
  return batch;
}

/* What to do when `src` offers batches and the sink takes none (transfer full), or NULL. */
static char *batch_hint(GstPad *src, GstCaps *sink_caps)
{
  GstCaps *src_caps = gst_pad_query_caps(src, NULL);
  gboolean refused = only_batches(src_caps)
                     && (sink_caps == NULL || !gst_caps_can_intersect(src_caps, sink_caps));
  gst_caps_unref(src_caps);
  if (!refused)
    return NULL;
  GstElementFactory *convert = gst_element_factory_find("vfconvert");
  if (convert)
    gst_object_unref(convert);
  return g_strdup_printf(
      "; %s:%s gives batches (video/x-raw(meta:VfBatch), as vfmux/nvstreammux make them), which "
      "an element for single frames cannot take: to get a batch in another format use %s, or make "
      "the batch in that format (vfmux format=RGB), or let the caps keep the batch "
      "(video/x-raw(meta:VfBatch),format=RGB); vfdemux splits a batch into single frames",
      GST_DEBUG_PAD_NAME(src),
      convert ? "vfconvert (DeepStream's nvvideoconvert)"
              : "vfconvert (DeepStream's nvvideoconvert) once it is in your build (it is not in "
                "this one)");
}

/* The sink pad for `srcpad`: a static pad, a request pad, or any compatible pad (transfer full).
 * *requested tells whether to release it if linking fails. */
static GstPad *get_sink_pad(GstElement *sink, const char *spec, GstPad *srcpad, gboolean *requested,
                            GError **error)
{
  GstPad *pad = NULL;
  *requested = FALSE;
  if (spec_empty(spec)) {
    pad = gst_element_get_compatible_pad(sink, srcpad, NULL);
    if (pad == NULL) {
      char *caps = caps_string(srcpad);
      char *pads = list_pads(sink, GST_PAD_SINK);
      char *hint = batch_hint(srcpad, NULL);
      g_set_error(error, VF_ERROR, VF_ERROR_LINK,
                  "element '%s' has no free sink pad that accepts %s:%s (%s); its sink pads: %s%s",
                  GST_ELEMENT_NAME(sink), GST_DEBUG_PAD_NAME(srcpad), caps, pads ? pads : "none",
                  hint ? hint : "");
      g_free(hint);
      g_free(caps);
      g_free(pads);
      return NULL;
    }
    /* bins such as autovideosink have ghost pads made without a template */
    *requested = GST_PAD_PAD_TEMPLATE(pad)
                 && GST_PAD_TEMPLATE_PRESENCE(GST_PAD_PAD_TEMPLATE(pad)) == GST_PAD_REQUEST;
    return pad;
  }
  pad = gst_element_get_static_pad(sink, spec);
  if (pad)
    return pad;
  pad = gst_element_request_pad_simple(sink, spec);
  if (pad) {
    *requested = TRUE;
    return pad;
  }
  no_such_pad(sink, spec, GST_PAD_SINK, error);
  return NULL;
}

static gboolean link_now(GstPad *srcpad, GstElement *sink, const char *sink_spec, GError **error)
{
  gboolean requested;
  GstPad *sinkpad = get_sink_pad(sink, sink_spec, srcpad, &requested, error);
  if (sinkpad == NULL)
    return FALSE;
  GstPadLinkReturn ret = gst_pad_link(srcpad, sinkpad);
  if (ret != GST_PAD_LINK_OK) {
    char *src_caps = caps_string(srcpad), *sink_caps = caps_string(sinkpad);
    const char *why = ret == GST_PAD_LINK_NOFORMAT ? "their formats (caps) have nothing in common"
                      : ret == GST_PAD_LINK_WAS_LINKED      ? "one of them is already linked"
                      : ret == GST_PAD_LINK_WRONG_HIERARCHY ? "they are not in the same pipeline"
                                                            : "the link was refused";
    char *hint = NULL;
    if (ret == GST_PAD_LINK_NOFORMAT) {
      GstCaps *accepts = gst_pad_query_caps(sinkpad, NULL);
      hint = batch_hint(srcpad, accepts);
      gst_caps_unref(accepts);
    }
    g_set_error(error, VF_ERROR, VF_ERROR_LINK,
                "cannot link %s:%s to %s:%s: %s (%s:%s offers %s; %s:%s accepts %s)%s",
                GST_DEBUG_PAD_NAME(srcpad), GST_DEBUG_PAD_NAME(sinkpad), why,
                GST_DEBUG_PAD_NAME(srcpad), src_caps, GST_DEBUG_PAD_NAME(sinkpad), sink_caps,
                hint                           ? hint
                : ret == GST_PAD_LINK_NOFORMAT ? "; put a converter (videoconvert) or a capsfilter "
                                                 "between them"
                                               : "");
    g_free(hint);
    g_free(src_caps);
    g_free(sink_caps);
    if (requested)
      gst_element_release_request_pad(sink, sinkpad);
    gst_object_unref(sinkpad);
    return FALSE;
  }
  gst_object_unref(sinkpad);
  return TRUE;
}

static gboolean pad_matches(GstPad *pad, const char *spec)
{
  if (spec_empty(spec))
    return TRUE;
  if (g_str_equal(GST_PAD_NAME(pad), spec))
    return TRUE;
  GstPadTemplate *t = GST_PAD_PAD_TEMPLATE(pad);
  return t && g_str_equal(GST_PAD_TEMPLATE_NAME_TEMPLATE(t), spec);
}

/* Could `srcpad` feed `sink` at all? Used to skip, say, the audio pad of a decodebin. */
static gboolean sink_accepts(GstElement *sink, const char *sink_spec, GstPad *srcpad)
{
  GstCaps *src_caps = gst_pad_get_current_caps(srcpad);
  if (src_caps == NULL)
    src_caps = gst_pad_query_caps(srcpad, NULL);
  gboolean ok = FALSE;
  GstPad *static_pad = spec_empty(sink_spec) ? NULL : gst_element_get_static_pad(sink, sink_spec);
  if (static_pad) {
    ok = gst_pad_query_accept_caps(static_pad, src_caps) || gst_pad_can_link(srcpad, static_pad);
    gst_object_unref(static_pad);
  } else {
    for (GList *l = gst_element_class_get_pad_template_list(GST_ELEMENT_GET_CLASS(sink)); l && !ok;
         l = l->next) {
      GstPadTemplate *t = l->data;
      if (GST_PAD_TEMPLATE_DIRECTION(t) != GST_PAD_SINK)
        continue;
      if (!spec_empty(sink_spec) && !g_str_equal(GST_PAD_TEMPLATE_NAME_TEMPLATE(t), sink_spec))
        continue;
      ok = gst_caps_can_intersect(src_caps, GST_PAD_TEMPLATE_CAPS(t));
    }
    /* Sink pads that already exist (a bin's ghost pad) */
    if (!ok && spec_empty(sink_spec)) {
      GstIterator *it = gst_element_iterate_sink_pads(sink);
      GValue item = G_VALUE_INIT;
      while (!ok && gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
        GstPad *p = g_value_get_object(&item);
        GstCaps *c = gst_pad_query_caps(p, NULL);
        ok = !gst_pad_is_linked(p) && gst_caps_can_intersect(src_caps, c);
        gst_caps_unref(c);
        g_value_reset(&item);
      }
      g_value_unset(&item);
      gst_iterator_free(it);
    }
  }
  gst_caps_unref(src_caps);
  return ok;
}

static void on_pad_added(GstElement *src, GstPad *pad, gpointer data)
{
  DelayedLink *link = data;
  if (link->linked || GST_PAD_DIRECTION(pad) != GST_PAD_SRC || !pad_matches(pad, link->src_spec))
    return;
  if (!sink_accepts(link->sink, link->sink_spec, pad)) {
    char *caps = caps_string(pad);
    g_string_append_printf(link->seen, "%s%s (%s)", link->seen->len ? ", " : "", GST_PAD_NAME(pad),
                           caps);
    g_free(caps);
    return;
  }
  GError *error = NULL;
  if (link_now(pad, link->sink, link->sink_spec, &error))
    link->linked = TRUE;
  else
    vf_post_error(src, error);
}

static void on_no_more_pads(GstElement *src, gpointer data)
{
  DelayedLink *link = data;
  if (link->linked)
    return;
  GError *error
      = g_error_new(VF_ERROR, VF_ERROR_LINK,
                    "element '%s' produced no pad that '%s' accepts (pads it produced: %s)",
                    GST_ELEMENT_NAME(src), GST_ELEMENT_NAME(link->sink),
                    link->seen->len ? link->seen->str : "none");
  vf_post_error(src, error);
}

static void delayed_link_free(gpointer data, GClosure *closure)
{
  (void)closure;
  DelayedLink *link = data;
  if (!g_atomic_int_dec_and_test(&link->refs))
    return;
  g_free(link->src_spec);
  g_free(link->sink_spec);
  g_string_free(link->seen, TRUE);
  g_free(link);
}

static gboolean has_sometimes_src(GstElement *element, const char *spec)
{
  for (GList *l = gst_element_class_get_pad_template_list(GST_ELEMENT_GET_CLASS(element)); l;
       l = l->next) {
    GstPadTemplate *t = l->data;
    if (GST_PAD_TEMPLATE_DIRECTION(t) == GST_PAD_SRC
        && GST_PAD_TEMPLATE_PRESENCE(t) == GST_PAD_SOMETIMES)
      return TRUE;
  }
  /* Bins (uridecodebin3, user bins) may add ghost pads without a sometimes template. */
  (void)spec;
  return GST_IS_BIN(element) && element->numsrcpads == 0;
}

/* The free source pad to use now (transfer full), or NULL when none exists yet. */
static GstPad *find_src_pad(GstElement *src, const char *spec)
{
  if (!spec_empty(spec)) {
    GstPad *pad = gst_element_get_static_pad(src, spec);
    if (pad == NULL) {
      GstPadTemplate *t = gst_element_get_pad_template(src, spec);
      /* A request template ("src_%u"), or a request pad by its own name ("src_1"). */
      if (t == NULL || GST_PAD_TEMPLATE_PRESENCE(t) == GST_PAD_REQUEST)
        pad = gst_element_request_pad_simple(src, spec);
      if (pad && GST_PAD_DIRECTION(pad) != GST_PAD_SRC) {
        gst_element_release_request_pad(src, pad);
        gst_clear_object(&pad);
      }
    }
    return pad;
  }
  GstPad *found = NULL;
  GstIterator *it = gst_element_iterate_src_pads(src);
  GValue item = G_VALUE_INIT;
  while (found == NULL && gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    GstPad *p = g_value_get_object(&item);
    if (!gst_pad_is_linked(p))
      found = gst_object_ref(p);
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
  if (found == NULL) {
    /* A tee or similar: ask for a new source pad. */
    for (GList *l = gst_element_class_get_pad_template_list(GST_ELEMENT_GET_CLASS(src)); l;
         l = l->next) {
      GstPadTemplate *t = l->data;
      if (GST_PAD_TEMPLATE_DIRECTION(t) == GST_PAD_SRC
          && GST_PAD_TEMPLATE_PRESENCE(t) == GST_PAD_REQUEST) {
        found = gst_element_request_pad(src, t, NULL, NULL);
        break;
      }
    }
  }
  return found;
}

/* ---- cycles ---- */

/* Elements a link waits to be made to, once `src` has the pad (GPtrArray of GstElement*, not
 * owned: both live in one pipeline). */
#define LATER_LINKS "vf-later-links"

/* Whether frames leaving `from` can reach `to` over the links made so far and those waiting
 * for a pad; the elements on the way go to `path` (from first). */
static gboolean reaches(GstElement *from, GstElement *to, GHashTable *seen, GPtrArray *path)
{
  if (!g_hash_table_add(seen, from))
    return FALSE;
  g_ptr_array_add(path, from);
  if (from == to)
    return TRUE;
  GPtrArray *next = g_ptr_array_new_with_free_func(gst_object_unref);
  GST_OBJECT_LOCK(from);
  for (GList *l = from->srcpads; l; l = l->next) {
    GstPad *peer = gst_pad_get_peer(l->data);
    GstElement *e = peer ? gst_pad_get_parent_element(peer) : NULL;
    if (e)
      g_ptr_array_add(next, e);
    gst_clear_object(&peer);
  }
  GST_OBJECT_UNLOCK(from);
  GPtrArray *later = g_object_get_data(G_OBJECT(from), LATER_LINKS);
  for (guint i = 0; later && i < later->len; i++)
    g_ptr_array_add(next, gst_object_ref(later->pdata[i]));
  gboolean found = FALSE;
  for (guint i = 0; i < next->len && !found; i++)
    found = reaches(next->pdata[i], to, seen, path);
  g_ptr_array_unref(next);
  if (!found)
    g_ptr_array_remove_index(path, path->len - 1);
  return found;
}

/* FALSE with an error naming the loop when linking src to sink would close one. */
static gboolean check_no_cycle(GstElement *src, GstElement *sink, GError **error)
{
  GHashTable *seen = g_hash_table_new(NULL, NULL);
  GPtrArray *path = g_ptr_array_new();
  gboolean loop = reaches(sink, src, seen, path);
  if (loop) {
    GString *s = g_string_new(GST_ELEMENT_NAME(src));
    for (guint i = 0; i < path->len; i++)
      g_string_append_printf(s, " -> %s", GST_ELEMENT_NAME(path->pdata[i]));
    g_set_error(error, VF_ERROR, VF_ERROR_LINK,
                "linking '%s' to '%s' closes a cycle (%s): frames cannot go round in a loop "
                "(GStreamer would query the pads round it forever)",
                GST_ELEMENT_NAME(src), GST_ELEMENT_NAME(sink), s->str);
    g_string_free(s, TRUE);
  }
  g_ptr_array_unref(path);
  g_hash_table_unref(seen);
  return !loop;
}

gboolean vf_link_pads(GstElement *src, const char *src_spec, GstElement *sink,
                      const char *sink_spec, GError **error)
{
  if (!check_no_cycle(src, sink, error))
    return FALSE;
  GstPad *srcpad = find_src_pad(src, src_spec);
  if (srcpad) {
    gboolean ok = link_now(srcpad, sink, sink_spec, error);
    gst_object_unref(srcpad);
    return ok;
  }
  if (!has_sometimes_src(src, src_spec)) {
    if (spec_empty(src_spec))
      g_set_error(error, VF_ERROR, VF_ERROR_LINK,
                  "element '%s' has no free source pad to link to '%s' (already linked? a tee "
                  "feeds several branches)",
                  GST_ELEMENT_NAME(src), GST_ELEMENT_NAME(sink));
    else
      no_such_pad(src, src_spec, GST_PAD_SRC, error);
    return FALSE;
  }
  /* Link when the pad appears. */
  DelayedLink *link = g_new0(DelayedLink, 1);
  link->src = src;
  link->sink = sink;
  link->src_spec = g_strdup(src_spec);
  link->sink_spec = g_strdup(sink_spec);
  link->seen = g_string_new(NULL);
  link->refs = 2;
  GPtrArray *later = g_object_get_data(G_OBJECT(src), LATER_LINKS);
  if (later == NULL) {
    later = g_ptr_array_new();
    g_object_set_data_full(G_OBJECT(src), LATER_LINKS, later, (GDestroyNotify)g_ptr_array_unref);
  }
  g_ptr_array_add(later, sink);
  g_signal_connect_data(src, "pad-added", G_CALLBACK(on_pad_added), link, delayed_link_free, 0);
  g_signal_connect_data(src, "no-more-pads", G_CALLBACK(on_no_more_pads), link, delayed_link_free,
                        0);
  return TRUE;
}
