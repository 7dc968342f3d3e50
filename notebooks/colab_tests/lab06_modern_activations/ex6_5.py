from otter.test_files import test_case

OK_FORMAT = False

name = "ex6_5"
points = 1

@test_case(points=0, hidden=False)
def test_ex6_5_public(swiglu_hidden_size):
    from nonlinear import checks
    result = checks.check_swiglu_hidden_size(swiglu_hidden_size, show=False)
    assert result.passed, result.message

