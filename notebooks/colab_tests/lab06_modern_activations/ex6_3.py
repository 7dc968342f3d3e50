from otter.test_files import test_case

OK_FORMAT = False

name = "ex6_3"
points = 1

@test_case(points=0, hidden=False)
def test_ex6_3_public(gelu_tanh):
    from nonlinear import checks
    result = checks.check_gelu_tanh(gelu_tanh, show=False)
    assert result.passed, result.message

