from otter.test_files import test_case

OK_FORMAT = False

name = "ex3_4"
points = 1

@test_case(points=0, hidden=False)
def test_ex3_4_public(sgd_step):
    from nonlinear import checks
    result = checks.check_sgd_step(sgd_step, show=False)
    assert result.passed, result.message

