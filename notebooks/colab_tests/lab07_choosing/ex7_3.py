from otter.test_files import test_case

OK_FORMAT = False

name = "ex7_3"
points = 1

@test_case(points=0, hidden=False)
def test_ex7_3_public(output_choices):
    from nonlinear import checks
    result = checks.check_output_choices(output_choices, show=False)
    assert result.passed, result.message

