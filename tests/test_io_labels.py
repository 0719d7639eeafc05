"""Reading the annotation table (skgesture.io.read_labels)."""

import pickle
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skgesture.io import LabelTable, read_labels

PAPER_TABLE = (
    "Nom.csv\tMono/Bi\tCommentaire\n"
    "Avion\tBi\tdeux mains\n"
    "Venir\tMono\t\n"
    "\n"
    "Bonjour \t Mono \tespaces autour\n"
    "Pas_de_label\t\t\n"
    "\tBi\tfichier inconnu\n"
    "Avion\tBi\tlisté deux fois\n"
)


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_reads_the_paper_table_and_reports_incomplete_rows(tmp_path):
    path = write(tmp_path / "Annotation_gloses.csv", PAPER_TABLE)

    with pytest.warns(
        UserWarning, match=r"2 rows without a file name or a label left out \(lines 6, 7\)"
    ):
        labels = read_labels(path)

    assert labels == {"Avion": "Bi", "Venir": "Mono", "Bonjour": "Mono"}
    assert labels.incomplete_rows == [(6, "Pas_de_label", ""), (7, "", "Bi")]
    assert labels.lines == {"Avion": 2, "Venir": 3, "Bonjour": 5}
    assert labels.filename == str(path)


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_delimiter_is_sniffed(tmp_path, delimiter):
    text = f"Nom.csv{delimiter}Mono/Bi\nAvion{delimiter}Bi\nVenir{delimiter}Mono\n"
    path = write(tmp_path / "labels.csv", text)

    assert read_labels(path) == {"Avion": "Bi", "Venir": "Mono"}


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-8-sig", "utf-16"])
def test_non_ascii_file_names_in_any_common_encoding(tmp_path, encoding):
    text = "Nom.csv;Mono/Bi\r\nCafé;Bi\r\nÉcole;Mono\r\nPâtes;Bi\r\n"
    path = write(tmp_path / "étiquettes.csv", text, encoding)

    assert read_labels(path) == {"Café": "Bi", "École": "Mono", "Pâtes": "Bi"}


def test_explicit_encoding_is_used_as_given(tmp_path):
    path = write(tmp_path / "latin.csv", "Nom.csv\tMono/Bi\nNoël\tBi\n", "latin-1")

    assert read_labels(path, encoding="latin-1") == {"Noël": "Bi"}
    with pytest.raises(ValueError, match=r"latin\.csv', line 2: byte 0xeb .* not valid utf-8"):
        read_labels(path, encoding="utf-8")
    with pytest.raises(ValueError, match="encoding='klingon' is not an encoding"):
        read_labels(path, encoding="klingon")


def test_columns_can_be_named(tmp_path):
    path = write(tmp_path / "gloses.tsv", "file\tgroup\thands\nAvion\tA\t2\nVenir\tB\t1\n")

    assert read_labels(path, file_column="file", label_column="hands") == {
        "Avion": "2",
        "Venir": "1",
    }


def test_column_names_are_compared_without_surrounding_spaces(tmp_path):
    path = write(tmp_path / "gloses.tsv", "file \t hands\nAvion\t2\n")

    assert read_labels(path, file_column=" file", label_column="hands ") == {"Avion": "2"}


@pytest.mark.parametrize(
    ("arguments", "error", "match"),
    [
        ({"file_column": 0}, TypeError, "file_column must be the header of a column, a string; "),
        ({"label_column": None}, TypeError, "label_column must be .*; got NoneType None"),
        ({"label_column": ["Mono/Bi"]}, TypeError, r"label_column must .*got list \['Mono/Bi'\]"),
        ({"file_column": ""}, ValueError, "file_column='' is blank; it must name a column"),
        ({"label_column": " \t"}, ValueError, r"label_column=' \\t' is blank"),
        ({"label_column": " Nom.csv "}, ValueError, "file_column and label_column are both"),
    ],
)
def test_column_arguments_must_be_non_blank_strings(tmp_path, arguments, error, match):
    path = write(tmp_path / "Annotation_gloses.csv", "Nom.csv\tMono/Bi\nAvion\tBi\n")

    with pytest.raises(error, match=match):
        read_labels(path, **arguments)


def test_csv_extension_in_file_names_is_dropped(tmp_path):
    path = write(tmp_path / "labels.tsv", "Nom.csv\tMono/Bi\nAvion.csv\tBi\nVenir.CSV\tMono\n")

    assert read_labels(path) == {"Avion": "Bi", "Venir": "Mono"}


def test_missing_label_column_names_the_file_and_the_columns_found(tmp_path):
    path = write(tmp_path / "sans_label.tsv", "Nom.csv\tLabel\nAvion\tBi\n")

    with pytest.raises(
        ValueError,
        match=r"sans_label\.tsv', line 1: has no column 'Mono/Bi'; columns found: 'Nom\.csv', "
        r"'Label'\. Pass label_column=",
    ):
        read_labels(path)


def test_missing_file_column_is_refused(tmp_path):
    path = write(tmp_path / "sans_nom.tsv", "Fichier\tMono/Bi\nAvion\tBi\n")

    with pytest.raises(ValueError, match=r"sans_nom\.tsv', line 1: has no column 'Nom\.csv'"):
        read_labels(path)


def test_conflicting_labels_name_both_lines(tmp_path):
    path = write(
        tmp_path / "conflit.tsv", "Nom.csv\tMono/Bi\nAvion\tBi\nVenir\tMono\nAvion\tMono\n"
    )

    with pytest.raises(
        ValueError,
        match=r"conflit\.tsv', line 4: 'Avion' is labelled 'Mono' here but 'Bi' on line 2",
    ):
        read_labels(path)


def test_rows_longer_than_the_header_are_refused(tmp_path):
    path = write(tmp_path / "décalé.tsv", "Nom.csv\tMono/Bi\nAvion\tBi\nVenir\tMono\tBi\n")

    with pytest.raises(ValueError, match=r"décalé\.tsv', line 3, column 3: has 3 fields"):
        read_labels(path)


def test_trailing_blank_fields_are_accepted(tmp_path):
    path = write(tmp_path / "excel.tsv", "Nom.csv\tMono/Bi\t\nAvion\tBi\t\t\nVenir\tMono\n")

    assert read_labels(path) == {"Avion": "Bi", "Venir": "Mono"}


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "the label table is empty"), ("\n\n", "the label table is empty")],
)
def test_empty_tables_are_refused(tmp_path, text, message):
    path = write(tmp_path / "vide.tsv", text)

    with pytest.raises(ValueError, match=rf"vide\.tsv': {message}"):
        read_labels(path)


def test_header_without_rows_is_refused(tmp_path):
    path = write(tmp_path / "entete.tsv", "Nom.csv\tMono/Bi\n")

    with pytest.raises(ValueError, match=r"entete\.tsv': the label table has a header but no"):
        read_labels(path)


def test_same_column_for_files_and_labels_is_refused(tmp_path):
    path = write(tmp_path / "labels.tsv", "Nom.csv\tMono/Bi\nAvion\tBi\n")

    with pytest.raises(ValueError, match="file_column and label_column are both 'Nom.csv'"):
        read_labels(path, label_column="Nom.csv")


def test_missing_table_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_labels(tmp_path / "Annotation_gloses.csv")


def test_label_table_is_a_plain_dict_that_survives_pickling(tmp_path):
    path = write(tmp_path / "labels.tsv", "Nom.csv\tMono/Bi\nAvion\tBi\nVenir\t\n")
    with pytest.warns(UserWarning):
        labels = read_labels(path)

    restored = pickle.loads(pickle.dumps(labels))

    assert isinstance(restored, LabelTable) and isinstance(restored, dict)
    assert restored == {"Avion": "Bi"}
    assert restored.incomplete_rows == [(3, "Venir", "")]
    assert "incomplete_rows=[(3, 'Venir', '')]" in repr(restored)


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(
        st.lists(
            st.sampled_from(["", " ", "Nom.csv", "Mono/Bi", "Avion", "Bi", '"', "é"]), max_size=4
        ),
        max_size=5,
    ),
    delimiter=st.sampled_from(["\t", ";", ","]),
)
def test_any_table_gives_labels_or_an_error_naming_the_file(tmp_path_factory, rows, delimiter):
    path = tmp_path_factory.mktemp("fuzz") / "table.tsv"
    path.write_text("\n".join(delimiter.join(row) for row in rows), encoding="utf-8")

    try:
        with warnings.catch_warnings(record=True):
            labels = read_labels(path)
    except ValueError as error:
        assert str(error).startswith(repr(str(path)))
        return
    assert all(stem and label for stem, label in labels.items())
    assert all(line > 1 for line in labels.lines.values())
