"""latent.py draws the classes the server draws (SampleSeeds.latentClass), and quality_table.py scores
a latent-class model's samples against them. The expected values below were printed by the server's
own code (SampleSeeds.classRng(seed).nextDouble(), SampleSeeds.latentClass) for these seeds."""
import json
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import latent  # noqa: E402

# The training digits' class shares, as in mnist-unet-d128's card.
PRIOR = [0.10011111111111111, 0.11411111111111111, 0.099, 0.10355555555555555, 0.09777777777777778,
         0.08477777777777777, 0.10155555555555555, 0.10777777777777778, 0.09377777777777778, 0.09755555555555556]


@pytest.mark.parametrize("seed, u", [
    (0, 0.19638453518428367), (1, 0.2952188163108259), (42, 0.851542118028067),
    (2 ** 63 - 1, 0.4606034180418147), (-(2 ** 63), 0.7292040501420087), (-1, 0.5610802482660012),
    (6_000_000_007, 0.4487629273377899)])
def test_the_class_stream_is_the_servers(seed, u):
    assert latent.class_uniform(seed) == u  # bit for bit, negative seeds as their 64-bit pattern


def test_seeds_1_to_20_draw_the_servers_classes():
    assert latent.latent_classes(PRIOR, 1, 20).tolist() == [2, 0, 2, 8, 4, 2, 2, 5, 7, 1, 8, 9, 8, 3, 9, 1, 6, 1, 4, 7]


def test_the_smallest_class_whose_cumulative_share_exceeds_u_and_never_a_class_of_probability_0():
    prior = [0.0, 0.5, 0.0, 0.5]
    for seed in range(200):
        assert latent.latent_class(prior, seed) == (1 if latent.class_uniform(seed) < 0.5 else 3)
    assert latent.latent_class([0.0, 1.0, 0.0], 42) == 1
    with pytest.raises(ValueError):
        latent.latent_class([0.0, 0.0], 1)


def test_quality_table_scores_latent_samples_against_the_drawn_classes(tmp_path, monkeypatch):
    import quality_table
    from test_pipeline import score_with_quality_table

    models = tmp_path / "models"
    for name, card in (("lat", {"latent_class_prior": PRIOR}), ("plain", {"class_labels": []})):
        (models / name).mkdir(parents=True)
        (models / name / "model.json").write_text(json.dumps(card))
    samples = tmp_path / "samples"
    samples.mkdir()
    x = np.random.default_rng(0).uniform(-1, 1, (6, 1, 28, 28)).astype(np.float32)
    for name in ("lat-s18", "lat@a0.1-s18", "plain-s18"):
        np.save(samples / f"{name}.npy", x)
        (samples / f"{name}.json").write_text(json.dumps({"nfe": 35.0, "seeds": [3, 8]}))
    # The classifier "sees" exactly the classes seeds 3..8 draw: every sample as drawn, if and only
    # if the table reads the card's prior and the run's seeds.
    drawn = latent.latent_classes(PRIOR, 3, 6)
    assert (drawn != latent.latent_classes(PRIOR, 1, 6)).sum() >= 3
    real = quality_table.features_and_probs

    def seen(net, xs):
        f, p = real(net, xs)
        return (f, np.eye(10, dtype=np.float32)[drawn]) if len(xs) == len(x) else (f, p)

    monkeypatch.setattr(quality_table, "features_and_probs", seen)
    rows = score_with_quality_table(tmp_path, samples, "--models-dir", str(models))
    assert rows["lat"]["as_drawn"] == 1.0 and rows["lat@a0.1"]["as_drawn"] == 1.0
    assert "as_drawn" not in rows["plain"] and "as_requested" not in rows["lat"]
    assert "| 1.0 |" in (tmp_path / "q.md").read_text()
