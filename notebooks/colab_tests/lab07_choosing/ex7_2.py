from otter.test_files import test_case

OK_FORMAT = False

name = "ex7_2"
points = 1

@test_case(points=0, hidden=False)
def test_ex7_2_public(cross_entropy):
    from nonlinear import checks
    result = checks.check_cross_entropy(cross_entropy, show=False)
    assert result.passed, result.message

