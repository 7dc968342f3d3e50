from otter.test_files import test_case

OK_FORMAT = False

name = "ex6_4"
points = 2

@test_case(points=0, hidden=False)
def test_ex6_4_public(swiglu):
    from nonlinear import checks
    result = checks.check_swiglu(swiglu, show=False)
    assert result.passed, result.message

