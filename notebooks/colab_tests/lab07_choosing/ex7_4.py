from otter.test_files import test_case

OK_FORMAT = False

name = "ex7_4"
points = 1

@test_case(points=0, hidden=False)
def test_ex7_4_public(init_for):
    from nonlinear import checks
    result = checks.check_init_choices(init_for, show=False)
    assert result.passed, result.message

