from otter.test_files import test_case

OK_FORMAT = False

name = "ex2_4"
points = 1

@test_case(points=0, hidden=False)
def test_ex2_4_public(best_linear_accuracy):
    from nonlinear import checks
    result = checks.check_best_linear_accuracy(best_linear_accuracy, show=False)
    assert result.passed, result.message

