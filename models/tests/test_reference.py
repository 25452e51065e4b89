"""The float64 references themselves, against the worked vectors of DESIGN.md §1 (copied here)."""
import math

import numpy as np
import pytest

import reference

# Worked vector: N = 4, n = 18, Heun, exact field of three points.
POINTS = np.array([[0.5, -0.25, 0.75, -1], [-0.5, 0.5, 0, 0.25], [1, 1, -1, -0.5]])
WORKED = {
    8: {0: [48.705243785456744, 97.41048757091349, -97.41048757091349, 24.352621892728372],
        1: [35.15486715512341, 70.23917020547216, -70.14750751971802, 17.413981316755486],
        11: [1.183150051346519, 1.5903451292363036, -1.5166519918383194, -0.27658894549341173],
        18: [1, 1, -1, -0.5]},
    math.inf: {0: [24, -96, 56, 8],
               1: [17.368662496742814, -68.98883623707977, 40.290093367387506, 5.640584660306072],
               18: [0.5, -0.25, 0.75, -1]},
}


def test_schedule_matches_design_check_values():
    sigmas = reference.schedule()
    assert len(sigmas) == 19
    np.testing.assert_allclose(sigmas[[0, 1, 2, 16, 17, 18]],
                               [80, 57.58598472124816, 40.78557379650796,
                                0.007528019962784078, 0.002000000000000003, 0], rtol=1e-13)


@pytest.mark.parametrize("augment_dim", WORKED)
def test_heun_on_exact_field_matches_design_worked_vector(augment_dim):
    expected = WORKED[augment_dim]

    def denoise(x, sigma):  # the network sees float32 x and σ
        return reference.exact_field(x.astype(np.float32), sigma.astype(np.float32), POINTS, augment_dim)

    states = reference.heun(denoise, np.array([expected[0]]), reference.schedule())
    for step, state in expected.items():
        np.testing.assert_allclose(states[step][0], state, rtol=1e-6, atol=1e-6, err_msg=f"state {step}")
