"""save_graph must carry Constant-node tensors that torch wrote as external files, not only initializers:
a full-size UNet export left `_..._Constant_4_attr__value` pointing into the deleted temporary folder."""
import os
import shutil

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from musedance_models.export import save_graph


def _graph_with_external_constant(tmp_dir):
    value = numpy_helper.from_array(np.arange(4096, dtype=np.float32).reshape(64, 64), name="c")
    const = helper.make_node("Constant", [], ["k"], value=value)
    add = helper.make_node("Add", ["x", "k"], ["y"])
    graph = helper.make_graph(
        [const, add], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [64, 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [64, 64])],
    )
    model = helper.make_model(graph)
    exported = os.path.join(tmp_dir, "model.onnx")
    # one file per tensor, attributes included: what torch's large-model export writes
    from onnx.external_data_helper import convert_model_to_external_data

    convert_model_to_external_data(model, all_tensors_to_one_file=False, size_threshold=0, convert_attribute=True)
    onnx.save_model(model, exported)
    return exported


def test_constant_attribute_tensors_move_with_the_graph(tmp_path):
    export_dir = tmp_path / "export"
    export_dir.mkdir()
    exported = _graph_with_external_constant(str(export_dir))
    assert len(os.listdir(export_dir)) >= 2, "the Constant's tensor should have been written as its own file"
    out = tmp_path / "pack" / "graph.onnx"
    out.parent.mkdir()
    data_name = save_graph(exported, str(out), threshold=0)
    shutil.rmtree(export_dir)  # the temporary export folder is deleted after packing
    assert data_name == "graph.onnx.data"
    loaded = onnx.load(str(out))  # loads external data: fails if any tensor still points at the deleted folder
    const = next(n for n in loaded.graph.node if n.op_type == "Constant")
    np.testing.assert_array_equal(numpy_helper.to_array(const.attribute[0].t).ravel(), np.arange(4096, dtype=np.float32))
