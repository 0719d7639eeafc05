"""read_c3d on damaged C3D files: a ValueError naming the file, never a dead Python process.

ezc3d is compiled code that trusts the lengths written in a file: one damaged byte in the
parameter section can make it read out of bounds and kill the process (a segfault), or
allocate without end. read_c3d checks the file's structure first (skgesture/io/_c3d_structure.py).
Every damaged file here is read in a child process, so that a crash fails the test instead of
killing pytest.
"""

import json
import re
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from skgesture.io import read_c3d

ezc3d = pytest.importorskip("ezc3d")

PYC3D = Path(__file__).parent / "data" / "pyc3d_markers.c3d"
# Values a damaged byte takes: all bits off, the largest and smallest signed byte, all bits on.
DAMAGE = (0x00, 0x7F, 0x80, 0xFF)

# Reads each job's file with read_c3d and prints one JSON line before and one after the read,
# so that the parent knows which file a crash happened on.
CHILD = r"""
import json, sys
import numpy as np
from skgesture.io import read_c3d

for index, job in enumerate(json.load(open(sys.argv[1]))):
    if job["offset"] is not None:
        raw = bytearray(open(job["source"], "rb").read())
        raw[job["offset"]] = job["value"]
        open(job["target"], "wb").write(raw)
    print(json.dumps({"started": index}), flush=True)
    try:
        recording = read_c3d(job["target"], missing="interpolate")
    except ValueError as error:
        outcome = {"error": str(error)}
    else:
        positions = recording.positions
        outcome = {
            "shape": list(positions.shape),
            "finite": bool(np.isfinite(positions).all()),
            "n_joint_names": len(recording.joint_names),
            "n_times": len(recording.times),
        }
    print(json.dumps({"done": index, **outcome}), flush=True)
"""


def read_in_child(tmp_path, jobs, timeout=300):
    """Outcomes of read_c3d on each job (a file, or a source with one byte changed)."""
    jobs = [
        {"offset": None, "value": None, "source": None}
        | {key: str(value) if isinstance(value, Path) else value for key, value in job.items()}
        for job in jobs
    ]
    job_file = tmp_path / "jobs.json"
    job_file.write_text(json.dumps(jobs))
    try:
        child = subprocess.run(
            [sys.executable, "-c", CHILD, str(job_file)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        stdout, returncode = child.stdout, child.returncode
    except subprocess.TimeoutExpired as expired:
        stdout, returncode = expired.stdout or "", "a timeout"
        stdout = stdout.decode() if isinstance(stdout, bytes) else stdout
    lines = [json.loads(line) for line in stdout.splitlines()]
    outcomes = [line for line in lines if "done" in line]
    if returncode != 0:
        last = jobs[lines[-1]["started"]] if lines and "started" in lines[-1] else None
        stderr = "" if returncode == "a timeout" else child.stderr[-2000:]
        pytest.fail(f"read_c3d ended the child process ({returncode}) on {last}\n{stderr}")
    assert len(outcomes) == len(jobs)
    return outcomes


def check_outcome(outcome, job):
    """A read of the right shape with finite values, or a ValueError naming the file."""
    where = f"{Path(job['target']).name} (byte {job.get('offset')} set to {job.get('value')})"
    if "error" in outcome:
        assert outcome["error"].startswith(f"{str(job['target'])!r}: "), (where, outcome)
    else:
        n_frames, n_markers, n_coords = outcome["shape"]
        assert outcome["finite"], where
        assert (n_markers, n_coords, n_frames) == (outcome["n_joint_names"], 3, outcome["n_times"])


# ------------------------------------------------------------------ C3D files written byte by byte
def encode_floats(values, processor):
    """Floats as C3D stores them: IEEE little-endian (Intel) or VAX F (DEC)."""
    raw = struct.pack(f"<{len(values)}f", *values)
    if processor == 84:
        return raw
    # DEC (VAX F): the IEEE bits of 4 times the value, with their two 16-bit words swapped.
    scaled = struct.pack(f"<{len(values)}f", *(4 * value for value in values))
    return b"".join(scaled[k + 2 : k + 4] + scaled[k : k + 2] for k in range(0, len(raw), 4))


def entry(name, group_id, body):
    """A group (negative id) or parameter entry: name, pointer to the next entry, body."""
    return (
        struct.pack("<bb", len(name), group_id)
        + name.encode("ascii")
        + struct.pack("<H", 2 + len(body))  # counted from the pointer's first byte
        + body
    )


def parameter(data_type, dimensions, data):
    """The body of a parameter: type, dimensions, data, and an empty description."""
    return struct.pack("<bb", data_type, len(dimensions)) + bytes(dimensions) + data + b"\0"


def text(strings):
    width = max(map(len, strings))
    return parameter(-1, [width, len(strings)], b"".join(s.ljust(width).encode() for s in strings))


def write_c3d(path, positions, *, n_channels=0, processor=84, damage=None):
    """A C3D file laid out byte by byte as the C3D user guide describes one.

    Markers ``(n_frames, n_markers, 3)`` at 100 Hz stored as floats, and ``n_channels`` analog
    channels of 2 subframes. ``damage`` maps ``(group, name)`` to a parameter body that replaces
    the genuine one.
    """
    n_frames, n_markers, _ = positions.shape
    subframes = 2

    def floats(*values):
        return encode_floats(values, processor)

    def integers(*values):
        return struct.pack(f"<{len(values)}h", *values)

    data_block = 4  # the header, then two blocks of parameters
    groups = {
        "POINT": {
            "USED": parameter(2, [], integers(n_markers)),
            "SCALE": parameter(4, [], floats(-1.0)),
            "RATE": parameter(4, [], floats(100.0)),
            "FRAMES": parameter(2, [], integers(n_frames)),
            "DATA_START": parameter(2, [], integers(data_block)),
            "LABELS": text([f"M{k}" for k in range(n_markers)]),
            "UNITS": text(["mm"]),
        },
        "ANALOG": {
            "USED": parameter(2, [], integers(n_channels)),
            "RATE": parameter(4, [], floats(100.0 * subframes)),
            "GEN_SCALE": parameter(4, [], floats(1.0)),
            "SCALE": parameter(4, [n_channels], floats(*[1.0] * n_channels)),
            "OFFSET": parameter(2, [n_channels], integers(*[0] * n_channels)),
        },
    }
    for (group, name), body in (damage or {}).items():
        groups[group][name] = body
    entries = b""
    for group_id, (group, members) in enumerate(groups.items(), start=1):
        entries += entry(group, -group_id, b"\0")
        entries += b"".join(entry(name, group_id, body) for name, body in members.items())
    section = bytes([1, 0x50, data_block - 2, processor]) + entries + b"\0"
    assert len(section) <= 2 * 512
    header = (
        struct.pack("<BBHHHHH", 2, 0x50, n_markers, n_channels * subframes, 1, n_frames, 0)
        + floats(-1.0)
        + struct.pack("<HH", data_block, subframes)
        + floats(100.0)
    )
    frames = b""
    for frame in positions:
        for x, y, z in frame:
            frames += floats(x, y, z) + integers(0, 0)  # camera mask and residual: seen
        frames += floats(*np.arange(n_channels * subframes, dtype=float))
    path.write_bytes(header.ljust(512, b"\0") + section.ljust(1024, b"\0") + frames)
    return path


def marker_tracks(n_frames=5, n_markers=3):
    return 100 + np.arange(n_frames * n_markers * 3, dtype=float).reshape(n_frames, n_markers, 3)


def write_c3d_with_ezc3d(path):
    """A file as ezc3d writes one: floats, 3 markers, 2 analog channels, a ROTATION group."""
    content = ezc3d.c3d()
    content["parameters"]["POINT"]["RATE"]["value"] = [100.0]
    content["parameters"]["POINT"]["LABELS"]["value"] = ("M0", "M1", "M2")
    content["parameters"]["ANALOG"]["RATE"]["value"] = [400.0]
    content["parameters"]["ANALOG"]["LABELS"]["value"] = ("A0", "A1")
    points = np.ones((4, 3, 6))
    points[:3] = marker_tracks(6).transpose(2, 1, 0)
    content["data"]["points"] = points
    content["data"]["analogs"] = np.arange(48, dtype=float).reshape(1, 2, 24)
    content.write(str(path))
    return path


@pytest.mark.parametrize("processor", [84, 85], ids=["intel", "dec"])
def test_a_genuine_file_is_read_in_both_float_layouts(tmp_path, processor):
    path = write_c3d(tmp_path / "walk.c3d", marker_tracks(), n_channels=2, processor=processor)
    recording = read_c3d(path)
    np.testing.assert_array_equal(recording.positions, marker_tracks().astype(np.float32))
    assert recording.joint_names == ["M0", "M1", "M2"]
    assert (recording.frame_rate, recording.units) == (100.0, "mm")


def test_a_mips_file_is_refused_before_ezc3d_reads_it(tmp_path):
    path = write_c3d(tmp_path / "sgi.c3d", marker_tracks(), processor=86)
    with pytest.raises(ValueError, match=r"sgi\.c3d': is a MIPS \(big-endian\) C3D file"):
        read_c3d(path)


# ---------------------------------------------------------------- damage that crashed ezc3d
def test_a_damaged_dimension_count_of_analog_gen_scale_is_refused(tmp_path):
    # The probe that found the crash: ANALOG:GEN_SCALE's number of dimensions, one byte after
    # its name's 2-byte pointer and its type. Negative counts killed the process, 127 hung it.
    raw = PYC3D.read_bytes()
    at = raw.index(b"GEN_SCALE") + len(b"GEN_SCALE") + 3
    assert raw[at] == 0  # a scalar
    jobs = [
        {"source": PYC3D, "offset": at, "value": value, "target": tmp_path / f"gen_{value}.c3d"}
        for value in (0x80, 0xFF, 0x7F, 0x08)
    ]
    outcomes = read_in_child(tmp_path, jobs)
    for job, outcome, count in zip(jobs, outcomes, (-128, -1, 127, 8)):
        assert outcome["error"] == (
            f"{str(job['target'])!r}: is damaged at byte {at} (parameter ANALOG:GEN_SCALE): "
            f"{count} dimensions, where a C3D parameter has 0 to 7."
        )


def float32(*values):
    return struct.pack(f"<{len(values)}f", *values)


# name -> ({(group, name): damaged parameter body}, the message read_c3d gives). The first
# seven killed the process inside ezc3d 1.7.2 (a read out of bounds). On the others ezc3d reads
# garbage (channels beyond ANALOG:SCALE), no frame at all (a billion subframes, more points than
# the frames hold), or fails naming neither file nor parameter; and C3D allows 7 dimensions.
CRAFTED = {
    "point_used_without_value": (
        {("POINT", "USED"): parameter(2, [0], b"")},
        r"parameter POINT:USED\): it holds no value, where ezc3d reads one\.",
    ),
    "point_rate_without_value": (
        {("POINT", "RATE"): parameter(4, [0, 3], b"")},
        r"parameter POINT:RATE\): it holds no value, where ezc3d reads one\.",
    ),
    "gen_scale_without_value": (
        {("ANALOG", "GEN_SCALE"): parameter(4, [0], b"")},
        r"parameter ANALOG:GEN_SCALE\): it holds no value, where ezc3d reads one\.",
    ),
    "analog_offset_without_values": (
        {("ANALOG", "OFFSET"): parameter(2, [0], b"")},
        r"is damaged: ANALOG:OFFSET holds 0 values for 2 analog channels \(ANALOG:USED\)\.",
    ),
    "analog_scale_as_empty_text": (
        {("ANALOG", "SCALE"): parameter(-1, [0], b"")},
        r"parameter ANALOG:SCALE\): it holds text where ezc3d reads numbers\.",
    ),
    "labels_without_dimensions": (
        {("POINT", "LABELS"): parameter(-1, [], b"")},
        r"parameter POINT:LABELS\): a text parameter without dimensions, which ezc3d cannot "
        r"read\.",
    ),
    "negative_description_length": (
        {("POINT", "UNITS"): parameter(-1, [2], b"mm")[:-1] + b"\xff"},
        r"parameter POINT:UNITS\): its description is -1 characters long\.",
    ),
    "analog_scale_too_short": (
        {("ANALOG", "SCALE"): parameter(4, [1], float32(1.0))},
        r"is damaged: ANALOG:SCALE holds 1 values for 2 analog channels \(ANALOG:USED\)\.",
    ),
    "eight_dimensions": (
        {("POINT", "UNITS"): parameter(-1, [1] * 8, b"m")},
        r"parameter POINT:UNITS\): 8 dimensions, where a C3D parameter has 0 to 7\.",
    ),
    "analog_rate_beyond_subframes": (
        {("ANALOG", "RATE"): parameter(4, [], float32(1e9))},
        r"is damaged: ANALOG:RATE 1000000000\.0 / POINT:RATE 100\.0 gives more than 65535 "
        r"analog subframes per frame\.",
    ),
    "point_rate_nan": (
        {("POINT", "RATE"): parameter(4, [], float32(float("nan")))},
        r"parameter POINT:RATE\): it is nan\.",
    ),
    "negative_point_count": (
        {("POINT", "USED"): parameter(2, [], struct.pack("<h", -3))},
        r"parameter POINT:USED\): it is -3; expected a count\.",
    ),
    "units_as_numbers": (
        {("POINT", "UNITS"): parameter(1, [2], b"mm")},
        r"c3d': POINT:UNITS holds numbers where C3D writes text\.",
    ),
    "point_count_beyond_data": (
        {("POINT", "USED"): parameter(2, [], struct.pack("<h", 300))},
        r"is cut short or damaged: its parameters announce 5 frames of 300 points and 2 x 2 "
        r"analog values from byte 1536, at least 25616 bytes; the file has 1856\.",
    ),
}


@pytest.fixture(scope="module")
def crafted_outcomes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crafted")
    jobs = [
        {"target": write_c3d(folder / f"{name}.c3d", marker_tracks(), n_channels=2, damage=damage)}
        for name, (damage, _) in CRAFTED.items()
    ]
    outcomes = read_in_child(folder, jobs)
    return {Path(job["target"]).stem: (job, outcome) for job, outcome in zip(jobs, outcomes)}


@pytest.mark.parametrize("name", CRAFTED)
def test_a_damaged_parameter_is_refused_naming_it(crafted_outcomes, name):
    job, outcome = crafted_outcomes[name]
    assert "error" in outcome, outcome
    assert outcome["error"].startswith(f"{str(job['target'])!r}: ")
    assert re.search(CRAFTED[name][1], outcome["error"]), outcome["error"]


# --------------------------------------------------------------------------- one byte at a time
@pytest.mark.parametrize("source", ["py-c3d", "ezc3d"])
def test_every_damaged_byte_of_the_header_and_parameters_is_read_or_refused(tmp_path, source):
    """Each byte before the frames set to 0x00, 0x7f, 0x80 and 0xff, one at a time."""
    path = PYC3D if source == "py-c3d" else write_c3d_with_ezc3d(tmp_path / "ezc3d.c3d")
    raw = path.read_bytes()
    data_start = (struct.unpack_from("<H", raw, 16)[0] - 1) * 512
    target = tmp_path / "damaged.c3d"
    jobs = [
        {"source": path, "offset": offset, "value": value, "target": target}
        for offset in range(data_start)
        for value in DAMAGE
        if raw[offset] != value
    ]
    outcomes = read_in_child(tmp_path, jobs)
    for job, outcome in zip(jobs, outcomes):
        check_outcome(outcome, {**job, "target": str(target)})
    refused = sum("error" in outcome for outcome in outcomes)
    assert 0 < refused < len(jobs)
