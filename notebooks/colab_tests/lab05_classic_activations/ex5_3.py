from otter.test_files import test_case

OK_FORMAT = False

name = "ex5_3"
points = 1

@test_case(points=0, hidden=False)
def test_ex5_3_public(logsumexp):
    from nonlinear import checks
    result = checks.check_logsumexp(logsumexp, show=False)
    assert result.passed, result.message

