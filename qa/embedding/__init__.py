"""The embedding model: the Encoder protocol, the torch model and its ONNX export."""
