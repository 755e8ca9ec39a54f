# Seed: Introduction to Flow APIs, Publish (block 12).
# Adapted: import from vidflow (the page's); the source list, model configuration, broker
# library and connection string -> SOURCE_LIST, CONFIG, BROKER_LIB, BROKER_CONN (given by the
# test).
from vidflow import Flow, Pipeline
# publish the object data to a kafka server
Flow(Pipeline("publish")).batch_capture(SOURCE_LIST).infer(CONFIG).attach(what="add_message_meta_probe",name="message_generator").publish(msg_broker_proto_lib=BROKER_LIB,msg_broker_conn_str=BROKER_CONN,topic="test4app",)()
