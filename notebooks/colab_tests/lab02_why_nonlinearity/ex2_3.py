from otter.test_files import test_case

OK_FORMAT = False

name = "ex2_3"
points = 1

@test_case(points=0, hidden=False)
def test_ex2_3_public(superposition_gap):
    from nonlinear import checks
    result = checks.check_superposition_gap(superposition_gap, show=False)
    assert result.passed, result.message

