"""The training entry point with issue-12 switches on CPU: LoRA trains only adapters, bf16 autocast + gradient
checkpointing run through `Trainer`, and such a run resumes from its checkpoint."""
import pytest
import torch

from musedance_models.config import tiny
from musedance_models.data.synthetic import generate
from musedance_models.train import TrainSpec, Trainer


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("scale_ds")
    generate(str(root / "ds"), train=2, heldout=0, seed=2, size=16, duration_sec=1.5)
    return str(root / "ds")


def _spec(dataset, out_dir, steps, **extra):
    cfg = tiny()
    cfg.height = cfg.width = 16
    cfg.frames_per_segment = 4
    return TrainSpec(stage="stage1", dataset=dataset, out_dir=str(out_dir), steps=steps, config=cfg.to_dict(),
                     batch_size=2, lr=1e-3, threads=1, log_every=1, checkpoint_every_steps=10 ** 9, **extra)


def test_lora_bf16_checkpointed_training_changes_only_adapters_and_resumes(dataset, tmp_path):
    spec = _spec(dataset, tmp_path / "run", 2, lora_rank=2, mixed_precision="bf16", gradient_checkpointing=True)
    trainer = Trainer(spec)
    optimized = {id(p) for group in trainer.opt.param_groups for p in group["params"]}
    named = dict(trainer.model.named_parameters())
    assert optimized == {id(p) for n, p in named.items() if ".lora_down." in n or ".lora_up." in n}
    before = {n: p.detach().clone() for n, p in named.items()}
    losses = []
    trainer.run(lambda e: losses.append(e["loss"]) if e["event"] == "loss" else None, lambda: False)
    assert len(losses) == 2 and all(l == l for l in losses)  # finite, not NaN
    for name, p in trainer.model.named_parameters():
        if ".lora_up." not in name and ".lora_down." not in name:
            assert torch.equal(p.detach(), before[name]), name  # base weights frozen
    assert any(not torch.equal(p.detach(), before[n]) for n, p in named.items() if ".lora_up." in n)

    resumed = Trainer(_spec(dataset, tmp_path / "run", 3, lora_rank=2, mixed_precision="bf16",
                            gradient_checkpointing=True))
    assert resumed.resumed and resumed.step == 2
    events = []
    resumed.run(events.append, lambda: False)
    assert [e["step"] for e in events if e["event"] == "loss"] == [3]
