from otter.test_files import test_case

OK_FORMAT = False

name = "ex2_2"
points = 1

@test_case(points=0, hidden=False)
def test_ex2_2_public(collapse_affine):
    from nonlinear import checks
    result = checks.check_collapse_affine(collapse_affine, show=False)
    assert result.passed, result.message

