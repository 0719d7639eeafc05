"""The interactive HTML page of an explanation: one offline file, opened in a real browser.

The browser tests drive Debian's chromium through its matching chromedriver with Selenium
(``scripts/install-browser.sh``, or ``make browser``); without them they are skipped.
"""

import html.parser
import io
import json
import re
import shutil

import numpy as np
import pytest
from _tiny import SMALL_CNN, gestures

from skgesture import CNNClassifier
from skgesture.datasets import make_gestures
from skgesture.explain import GradCAMExplainer, explanation_html
from skgesture.skeleton import Skeleton

CLASS_WITH_SCRIPT = '</script><script>alert("class")</script>'
CLASS_WITH_TAG = "<img src=x onerror=alert(1)> & co"
JOINT_NAMES = ['"head"', "</script><script>alert('joint')</script>", "a & <b>", "wrist ✓"]


@pytest.fixture(scope="module")
def explained():
    """A CNN's explanation of 3 generated MocapLab gestures, with their true classes."""
    train = make_gestures(24, n_joints=20, min_frames=20, max_frames=30, random_state=0)
    cnn = CNNClassifier(max_epochs=5, **SMALL_CNN).fit(train.data, train.target)
    explainer = GradCAMExplainer(cnn, skeleton=train.skeleton, top_k=3).fit()
    return explainer.explain(train.data[:3]), train.target[:3]


@pytest.fixture(scope="module")
def hostile():
    """An explanation whose class and joint names are made to break an HTML page."""
    X, y = gestures(n_joints=4, labels=(CLASS_WITH_SCRIPT, CLASS_WITH_TAG))
    skeleton = Skeleton("hostile", JOINT_NAMES, parents=[-1, 0, 1, 2])
    cnn = CNNClassifier(max_epochs=2, **SMALL_CNN).fit(X, y)
    return GradCAMExplainer(cnn, skeleton=skeleton, top_k=2).fit().explain(X[:1]), y[0]


class _Elements(html.parser.HTMLParser):
    """The tags of a page, and the text of each of its <script> elements."""

    def __init__(self):
        super().__init__()
        self.tags, self.scripts = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self.scripts.append("")

    def handle_data(self, data):
        if self.lasttag == "script" and self.scripts:
            self.scripts[-1] += data


def parse(page):
    elements = _Elements()
    elements.feed(page)
    return elements


def page_data(page):
    """The JSON the page's script draws from."""
    start = page.index('id="skgesture-data">') + len('id="skgesture-data">')
    return json.loads(page[start : page.index("</script>", start)])


# ----------------------------------------------------------------------------- the file
def test_page_is_one_file_that_needs_no_network(explained):
    explanation, true_classes = explained
    page = explanation_html(explanation, 1, name="gesture_001.csv", true_label=true_classes[1])

    assert page.startswith("<!DOCTYPE html>")
    assert re.search(r"https?://", page) is None
    elements = parse(page)
    tags = {tag for tag, _ in elements.tags}
    assert {"canvas", "input", "button"} <= tags
    assert not tags & {"link", "img", "iframe"}
    assert all("src" not in attrs for tag, attrs in elements.tags if tag == "script")
    assert "gesture_001.csv" in page and '<b id="true"' in page


def test_page_holds_the_recording_and_its_heatmap(explained):
    explanation, _ = explained
    data = page_data(explanation_html(explanation, 2))

    n_frames = explanation.lengths[2]
    assert data["joint_names"] == explanation.joint_names
    assert np.allclose(data["heatmap"], explanation.heatmap(2), atol=1e-3)
    assert np.shape(data["points"]) == (n_frames, 20, 2)
    assert data["top"] == explanation.top_joints()[2].tolist()
    assert data["bones"] == [list(bone) for bone in explanation.skeleton.bones]


def test_skeleton_stands_upright_as_in_the_gif(explained):
    explanation, _ = explained
    points = np.array(page_data(explanation_html(explanation))["points"])

    names = explanation.joint_names
    head, hip = (points[:, names.index(joint), 1] for joint in ("head_T_glob", "hip_T_glob"))
    assert (head > hip).all()


def test_image_keypoints_stand_upright_too():
    # Image keypoints: y points down, so the page turns them the right way up.
    X, y = gestures(n_coords=2)
    X[:, :, 0, 1] = -5.0  # joint 0 is at the top of the picture
    explanation = GradCAMExplainer(CNNClassifier(max_epochs=1, **SMALL_CNN).fit(X, y))
    points = np.array(page_data(explanation_html(explanation.fit().explain(X[:1])))["points"])
    assert (points[:, 0, 1] > points[:, 1:, 1].max(axis=1)).all()


def test_hostile_names_stay_text(hostile):
    explanation, true_label = hostile
    page = explanation_html(explanation, true_label=true_label)

    assert len(parse(page).scripts) == 2  # the data and the renderer, nothing injected
    assert page.count("</script>") == 2
    assert "<img" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(&quot;class&quot;)" in page
    data = page_data(page)
    assert data["joint_names"] == JOINT_NAMES


def test_path_writes_the_page(explained, tmp_path):
    explanation, _ = explained
    page = explanation_html(explanation, path=tmp_path / "explanation.html")
    assert (tmp_path / "explanation.html").read_text(encoding="utf-8") == page


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"i": 3}, ValueError, "not the index of one of the 3 recordings"),
        ({"fps": 0}, ValueError, "fps must be a positive finite number"),
        ({"fps": "fast"}, TypeError, "fps must be a positive finite number"),
        ({"path": "page.png"}, ValueError, "must end in .html"),
        ({"path": "no/such/folder/page.html"}, FileNotFoundError, "does not exist"),
        ({"skeleton": "natops"}, ValueError, "has 8 joints but the recording has 20"),
    ],
)
def test_bad_arguments_say_what_is_wrong(explained, kwargs, error, match):
    explanation, _ = explained
    with pytest.raises(error, match=match):
        explanation_html(explanation, **kwargs)


def test_only_an_explanation_makes_a_page(explained):
    _, true_classes = explained
    with pytest.raises(TypeError, match="explanation must be an Explanation"):
        explanation_html(np.zeros((1, 10, 4)), true_label=true_classes[0])


def test_explain_command_writes_the_page_beside_its_pictures(folder, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    from skgesture.app.cli import main

    model = tmp_path / "model.npz"
    train = ["train", folder, "--epochs", "1", "--cv", "0", "--out", model, "--quiet"]
    assert main(list(map(str, train))) == 0
    out = tmp_path / "pictures"
    assert main(["explain", str(model), str(folder / "gesture_001.csv"), "--out", str(out)]) == 0

    page = (out / "gesture_001_explanation.html").read_text(encoding="utf-8")
    assert "gesture_001_explanation.html" in capsys.readouterr().out
    assert '<h1 id="title">gesture_001.csv</h1>' in page
    assert len(page_data(page)["joint_names"]) == 79
    assert (out / "gesture_001_heatmap.png").is_file()


# --------------------------------------------------------------------------- in a browser
@pytest.fixture(scope="module")
def browser():
    """A headless chromium driven by Selenium, logging the page's console."""
    webdriver = pytest.importorskip(
        "selenium.webdriver", reason="selenium not installed: run `make browser`"
    )
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        pytest.skip("chromium not installed: run `make browser`")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,900"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    try:
        yield driver
    finally:
        driver.quit()


def open_page(browser, path):
    browser.get_log("browser")  # forget what earlier pages logged
    browser.get(path.as_uri())


def console_problems(browser):
    return [entry for entry in browser.get_log("browser") if entry["level"] != "INFO"]


def colours(element):
    """The distinct colours of a screenshot of ``element``."""
    from PIL import Image

    picture = Image.open(io.BytesIO(element.screenshot_as_png)).convert("RGB")
    return {colour for _, colour in picture.getcolors(maxcolors=1 << 20)}


def move_slider(browser, frame):
    browser.execute_script(
        "const slider = document.getElementById('frame');"
        "slider.value = arguments[0];"
        "slider.dispatchEvent(new Event('input', {bubbles: true}));",
        frame,
    )


def test_console_errors_are_caught(browser, tmp_path):
    # The check the tests below rely on: a failing script does show in the browser's log.
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><script>null.frame;</script>", encoding="utf-8")
    open_page(browser, broken)
    assert any("null" in entry["message"] for entry in console_problems(browser))


def test_page_draws_without_console_errors(browser, explained, tmp_path):
    pytest.importorskip("PIL")
    from selenium.webdriver.common.by import By

    explanation, true_classes = explained
    path = tmp_path / "explanation.html"
    explanation_html(explanation, 1, true_label=true_classes[1], path=path)
    open_page(browser, path)

    assert console_problems(browser) == []
    assert browser.execute_script("return window.skgestureView.nFrames") == explanation.lengths[1]
    skeleton = colours(browser.find_element(By.ID, "skeleton"))
    assert len(skeleton) > 10
    assert any(green > red + 60 and green > blue + 60 for red, green, blue in skeleton)
    assert len(colours(browser.find_element(By.ID, "heatmap"))) > 20
    assert browser.find_element(By.ID, "true").text == str(true_classes[1])


def test_slider_moves_the_highlighted_joints(browser, explained, tmp_path):
    pytest.importorskip("PIL")
    from selenium.webdriver.common.by import By

    explanation, _ = explained
    top = explanation.top_joints()[0]
    later = next(f for f in range(1, len(top)) if set(top[f]) != set(top[0]))
    path = tmp_path / "explanation.html"
    explanation_html(explanation, 0, path=path)
    open_page(browser, path)
    view = "return window.skgestureView"
    skeleton, heatmap = (browser.find_element(By.ID, name) for name in ("skeleton", "heatmap"))
    first = skeleton.screenshot_as_png, heatmap.screenshot_as_png

    move_slider(browser, later)

    assert browser.execute_script(f"{view}.currentFrame()") == later
    assert browser.execute_script(f"{view}.highlightedJoints()") == top[later].tolist()
    assert browser.find_element(By.ID, "frame-label").text == (
        f"frame {later + 1} / {explanation.lengths[0]}"
    )
    assert skeleton.screenshot_as_png != first[0]
    assert heatmap.screenshot_as_png != first[1]  # the marker moved
    names = browser.find_element(By.ID, "top-joints").text
    assert names.startswith(explanation.joint_names[top[later][0]])
    assert console_problems(browser) == []


def test_play_runs_through_the_frames_and_pause_stops(browser, explained, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    explanation, _ = explained
    path = tmp_path / "explanation.html"
    explanation_html(explanation, 0, fps=10, path=path)
    open_page(browser, path)
    view = "return window.skgestureView"
    button = browser.find_element(By.ID, "play")

    button.click()
    WebDriverWait(browser, 5).until(lambda _: browser.execute_script(f"{view}.currentFrame()") >= 2)
    button.click()
    stopped = browser.execute_script(f"{view}.currentFrame()")
    assert button.text == "Play" and not browser.execute_script(f"{view}.playing()")
    browser.execute_script("return new Promise((done) => setTimeout(done, 200))")
    assert browser.execute_script(f"{view}.currentFrame()") == stopped


def test_hostile_names_show_as_text_in_the_browser(browser, hostile, tmp_path):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    explanation, true_label = hostile
    path = tmp_path / "hostile.html"
    explanation_html(explanation, true_label=true_label, name=JOINT_NAMES[1], path=path)
    open_page(browser, path)

    assert console_problems(browser) == []
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.accept()
    assert browser.execute_script("return document.scripts.length") == 2
    assert browser.find_element(By.ID, "title").text == JOINT_NAMES[1]
    assert browser.find_element(By.ID, "true").text == str(true_label)
    predicted = browser.find_element(By.ID, "predicted").text
    assert predicted in (CLASS_WITH_SCRIPT, CLASS_WITH_TAG.strip())
    shown = browser.find_element(By.ID, "top-joints").text
    assert any(name in shown for name in JOINT_NAMES)
