from otter.test_files import test_case

OK_FORMAT = False

name = "ex7_5"
points = 2

@test_case(points=0, hidden=False)
def test_ex7_5_public(accuracy_summary):
    from nonlinear import checks
    result = checks.check_accuracy_summary(accuracy_summary, show=False)
    assert result.passed, result.message

