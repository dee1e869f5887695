/* The word scanner of newsearch.analysis, compiled.
 *
 * Finds exactly the words that analysis.TOKEN_RE.findall finds (checked by
 * tests/test_scan.py against the pattern, on the corpus and on generated text), in
 * one pass without backtracking:
 *
 *   - a number with separators: decimal digits, then one or more groups of "." or ","
 *     followed by decimal digits ("28,000", "2.3"); tried first, as the pattern does;
 *   - otherwise a word: a letter or digit, then letters, digits and combining marks,
 *     then any number of groups of an apostrophe followed by letters, digits or marks
 *     ("Netanyahu's", "don't").
 *
 * "Letter or digit" is Python's str.isalnum, and "decimal digit" str.isdecimal: what
 * the re module's [^\W_] and \d mean for str patterns.
 *
 * The module exists for speed: analysing a paragraph is the largest cost of indexing,
 * and most of it was the regular expression and the per-word Python calls around it.
 * analysis.py falls back to the pattern when this module was not built.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static int
is_mark(Py_UCS4 c)
{
    /* analysis._MARKS: combining marks kept inside a word. */
    return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
           (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
           (c >= 0xFE20 && c <= 0xFE2F);
}

static int
is_apostrophe(Py_UCS4 c)
{
    /* analysis._APOSTROPHES */
    return c == '\'' || c == 0x2019 || c == 0x02BC || c == 0x2018 || c == '`' ||
           c == 0x00B4;
}

static inline int
is_alnum(Py_UCS4 c)
{
    if (c < 128) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
    return Py_UNICODE_ISALNUM(c);
}

static inline int
is_decimal(Py_UCS4 c)
{
    return c < 128 ? (c >= '0' && c <= '9') : Py_UNICODE_ISDECIMAL(c);
}

static inline int
is_inner(Py_UCS4 c)
{
    /* What may follow a word's first character. */
    return is_alnum(c) || (c >= 0x0300 && is_mark(c));
}

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t length;
    Py_ssize_t at; /* where the next search starts */
} Scanner;

static void
scanner_init(Scanner *s, PyObject *text)
{
    s->kind = PyUnicode_KIND(text);
    s->data = PyUnicode_DATA(text);
    s->length = PyUnicode_GET_LENGTH(text);
    s->at = 0;
}

/* One scanner per string kind, so that the loops read characters without testing the
 * kind each time (three times faster on ASCII text than PyUnicode_READ). */
#define NEXT_WORD(NAME, CHAR)                                                         \
    static int NAME(Scanner *s, Py_ssize_t *start, Py_ssize_t *end)                  \
    {                                                                                 \
        const CHAR *text = (const CHAR *)s->data;                                     \
        Py_ssize_t i = s->at, n = s->length, j;                                       \
        while (i < n && !is_alnum(text[i])) {                                         \
            i++;                                                                      \
        }                                                                             \
        if (i >= n) {                                                                 \
            s->at = n;                                                                \
            return 0;                                                                 \
        }                                                                             \
        *start = i;                                                                   \
        if (is_decimal(text[i])) {                                                    \
            int groups = 0;                                                           \
            j = i + 1;                                                                \
            while (j < n && is_decimal(text[j])) {                                    \
                j++;                                                                  \
            }                                                                         \
            while (j + 1 < n && (text[j] == '.' || text[j] == ',') &&                 \
                   is_decimal(text[j + 1])) {                                         \
                j += 2;                                                               \
                while (j < n && is_decimal(text[j])) {                                \
                    j++;                                                              \
                }                                                                     \
                groups++;                                                             \
            }                                                                         \
            if (groups) {                                                             \
                *end = s->at = j;                                                     \
                return 1;                                                             \
            }                                                                         \
        }                                                                             \
        j = i + 1;                                                                    \
        while (j < n && is_inner(text[j])) {                                          \
            j++;                                                                      \
        }                                                                             \
        while (j + 1 < n && is_apostrophe(text[j]) && is_inner(text[j + 1])) {        \
            j += 2;                                                                   \
            while (j < n && is_inner(text[j])) {                                      \
                j++;                                                                  \
            }                                                                         \
        }                                                                             \
        *end = s->at = j;                                                             \
        return 1;                                                                     \
    }

NEXT_WORD(next_word_1, Py_UCS1)
NEXT_WORD(next_word_2, Py_UCS2)
NEXT_WORD(next_word_4, Py_UCS4)

/* The next word's start and end; 0 when there is none. */
static int
next_word(Scanner *s, Py_ssize_t *start, Py_ssize_t *end)
{
    switch (s->kind) {
    case PyUnicode_1BYTE_KIND:
        return next_word_1(s, start, end);
    case PyUnicode_2BYTE_KIND:
        return next_word_2(s, start, end);
    default:
        return next_word_4(s, start, end);
    }
}

/* Append each word of text to words and its start to starts (either may be NULL). */
static int
collect(PyObject *text, PyObject *words, PyObject *starts)
{
    Scanner s;
    Py_ssize_t start, end;
    scanner_init(&s, text);
    while (next_word(&s, &start, &end)) {
        PyObject *lists[2] = {words, starts};
        PyObject *values[2] = {
            words != NULL ? PyUnicode_Substring(text, start, end) : NULL,
            starts != NULL ? PyLong_FromSsize_t(start) : NULL,
        };
        int failed = 0;
        for (int i = 0; i < 2; i++) {
            if (lists[i] == NULL) {
                continue;
            }
            if (values[i] == NULL || PyList_Append(lists[i], values[i]) < 0) {
                failed = 1;
            }
        }
        Py_XDECREF(values[0]);
        Py_XDECREF(values[1]);
        if (failed) {
            return -1;
        }
    }
    return 0;
}

static int
check_text(PyObject *text, const char *name)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "%s() takes a str", name);
        return -1;
    }
    return 0;
}

static PyObject *
scan_findall(PyObject *module, PyObject *text)
{
    if (check_text(text, "findall") < 0) {
        return NULL;
    }
    PyObject *words = PyList_New(0);
    if (words != NULL && collect(text, words, NULL) < 0) {
        Py_CLEAR(words);
    }
    return words;
}

static PyObject *
scan_starts(PyObject *module, PyObject *text)
{
    if (check_text(text, "starts") < 0) {
        return NULL;
    }
    PyObject *starts = PyList_New(0);
    if (starts != NULL && collect(text, NULL, starts) < 0) {
        Py_CLEAR(starts);
    }
    return starts;
}

static PyObject *
scan_words_and_starts(PyObject *module, PyObject *text)
{
    if (check_text(text, "words_and_starts") < 0) {
        return NULL;
    }
    PyObject *words = PyList_New(0), *starts = PyList_New(0), *result = NULL;
    if (words != NULL && starts != NULL && collect(text, words, starts) == 0) {
        result = PyTuple_Pack(2, words, starts);
    }
    Py_XDECREF(words);
    Py_XDECREF(starts);
    return result;
}

/* cache[word] for a dict (or a dict subclass whose __missing__ makes the value). */
static PyObject *
lookup(PyObject *cache, PyObject *word)
{
    PyObject *value = PyDict_GetItemWithError(cache, word);
    if (value != NULL) {
        Py_INCREF(value);
        return value;
    }
    if (PyErr_Occurred()) {
        return NULL;
    }
    return PyObject_GetItem(cache, word); /* calls __missing__ */
}

/* 1 when one of words is in spaced (None: no set), 0 when none is, -1 on error. */
static int
any_in(PyObject *words, PyObject *spaced)
{
    if (spaced == Py_None || PySet_GET_SIZE(spaced) == 0) {
        return 0;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(words); i++) {
        int in = PySet_Contains(spaced, PyList_GET_ITEM(words, i));
        if (in != 0) {
            return in;
        }
    }
    return 0;
}

static PyObject *
join_values(PyObject *values)
{
    PyObject *space = PyUnicode_FromOrdinal(' ');
    if (space == NULL) {
        return NULL;
    }
    PyObject *joined = PyUnicode_Join(space, values);
    Py_DECREF(space);
    return joined;
}

/* The words of text, and for each cache given the list of cache[word] (the second's
 * empty values left out). */
static PyObject *
look_up_words(PyObject *text, PyObject *terms, PyObject *forms, PyObject **term_values,
              PyObject **form_values)
{
    PyObject *words = scan_findall(NULL, text);
    if (words == NULL) {
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(words);
    *term_values = PyList_New(count);
    *form_values = forms != NULL ? PyList_New(0) : NULL;
    if (*term_values == NULL || (forms != NULL && *form_values == NULL)) {
        goto failed;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *word = PyList_GET_ITEM(words, i);
        if (forms != NULL) {
            /* The form first, as analysis.indexed asked before it was compiled. */
            PyObject *form = lookup(forms, word);
            if (form == NULL) {
                goto failed;
            }
            int keep = PyObject_IsTrue(form);
            if (keep < 0 || (keep && PyList_Append(*form_values, form) < 0)) {
                Py_DECREF(form);
                goto failed;
            }
            Py_DECREF(form);
        }
        PyObject *term = lookup(terms, word);
        if (term == NULL) {
            goto failed;
        }
        PyList_SET_ITEM(*term_values, i, term);
    }
    return words;
failed:
    Py_DECREF(words);
    Py_CLEAR(*term_values);
    Py_CLEAR(*form_values);
    return NULL;
}

static int
check_args(PyObject *text, PyObject *terms, PyObject *spaced, PyObject *forms)
{
    if (!PyUnicode_Check(text) || !PyDict_Check(terms) ||
        (spaced != Py_None && !PyAnySet_Check(spaced)) ||
        (forms != NULL && !PyDict_Check(forms))) {
        PyErr_SetString(PyExc_TypeError, "expected text (str), caches (dict), spaced (set)");
        return -1;
    }
    return 0;
}

/* The terms joined, or None (new reference) when a word is in spaced. */
static PyObject *
joined_terms(PyObject *words, PyObject *values, PyObject *spaced)
{
    /* Asked only now: a lookup may have added a word to the set. */
    int spaced_word = any_in(words, spaced);
    if (spaced_word < 0) {
        return NULL;
    }
    if (spaced_word) {
        Py_RETURN_NONE;
    }
    return join_values(values);
}

static PyObject *
scan_joined(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "joined() takes text, terms and spaced");
        return NULL;
    }
    if (check_args(args[0], args[1], args[2], NULL) < 0) {
        return NULL;
    }
    PyObject *values, *unused;
    PyObject *words = look_up_words(args[0], args[1], NULL, &values, &unused);
    if (words == NULL) {
        return NULL;
    }
    PyObject *result = joined_terms(words, values, args[2]);
    Py_DECREF(words);
    Py_DECREF(values);
    return result;
}

static PyObject *
scan_joined_pair(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "joined_pair() takes text, terms, spaced and forms");
        return NULL;
    }
    if (check_args(args[0], args[1], args[2], args[3]) < 0) {
        return NULL;
    }
    PyObject *terms, *forms, *result = NULL;
    PyObject *words = look_up_words(args[0], args[1], args[3], &terms, &forms);
    if (words == NULL) {
        return NULL;
    }
    PyObject *first = joined_terms(words, terms, args[2]);
    PyObject *second = first != NULL ? join_values(forms) : NULL;
    if (second != NULL) {
        result = PyTuple_Pack(2, first, second);
    }
    Py_XDECREF(first);
    Py_XDECREF(second);
    Py_DECREF(words);
    Py_DECREF(terms);
    Py_DECREF(forms);
    return result;
}

/* 1 when the word's term (terms[word], not made when missing) is in wanted or, with
 * forms, its exact form (forms[word], made when missing) is in forms_wanted; 0 when
 * neither; -1 on error. A word with no term yet is appended to unknown. */
static int
is_marked(PyObject *word, PyObject *terms, PyObject *wanted, PyObject *forms,
          PyObject *forms_wanted, PyObject *unknown)
{
    int hit = 0;
    PyObject *term = PyDict_GetItemWithError(terms, word); /* borrowed */
    if (term != NULL) {
        hit = PySet_Contains(wanted, term);
    }
    else if (PyErr_Occurred() || PyList_Append(unknown, word) < 0) {
        return -1;
    }
    if (hit == 0 && forms != NULL) {
        PyObject *form = lookup(forms, word);
        if (form == NULL) {
            return -1;
        }
        hit = PySet_Contains(forms_wanted, form);
        Py_DECREF(form);
    }
    return hit;
}

/* Fills allowed[c] for each ASCII character c of starts (None: every one); 0 when
 * starts is neither a str nor None. */
static int
allowed_starts(PyObject *starts, char allowed[128])
{
    if (starts == Py_None) {
        memset(allowed, 1, 128);
        return 1;
    }
    if (!PyUnicode_Check(starts)) {
        return 0;
    }
    memset(allowed, 0, 128);
    int kind = PyUnicode_KIND(starts);
    const void *data = PyUnicode_DATA(starts);
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(starts); i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 128) {
            allowed[c] = 1;
        }
    }
    return 1;
}

static PyObject *
scan_marked(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 && nargs != 6) {
        PyErr_SetString(PyExc_TypeError,
                        "marked() takes text, terms, wanted, forms, forms_wanted and "
                        "optionally starts");
        return NULL;
    }
    PyObject *text = args[0], *terms = args[1], *wanted = args[2];
    PyObject *forms = args[3], *forms_wanted = args[4];
    char allowed[128];
    if (!PyUnicode_Check(text) || !PyDict_Check(terms) || !PyAnySet_Check(wanted) ||
        (forms != Py_None && !PyDict_Check(forms)) || !PyAnySet_Check(forms_wanted) ||
        !allowed_starts(nargs == 6 ? args[5] : Py_None, allowed)) {
        PyErr_SetString(PyExc_TypeError,
                        "expected text (str), terms (dict), wanted (set), forms (dict or "
                        "None), forms_wanted (set), starts (str or None)");
        return NULL;
    }
    if (forms == Py_None || PySet_GET_SIZE(forms_wanted) == 0) {
        forms = NULL; /* no exact form can match: none is looked up */
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    PyObject *spans = PyList_New(0), *unknown = PyList_New(0), *result = NULL;
    if (spans == NULL || unknown == NULL) {
        goto done;
    }
    Scanner s;
    Py_ssize_t start, end;
    scanner_init(&s, text);
    while (next_word(&s, &start, &end)) {
        Py_UCS4 first = PyUnicode_READ(kind, data, start);
        if (first < 128 && !allowed[first]) {
            continue; /* neither looked up nor unknown: it cannot match */
        }
        PyObject *word = PyUnicode_Substring(text, start, end);
        if (word == NULL) {
            goto done;
        }
        int hit = is_marked(word, terms, wanted, forms, forms_wanted, unknown);
        Py_DECREF(word);
        if (hit < 0) {
            goto done;
        }
        if (hit) {
            PyObject *span = Py_BuildValue("(nn)", start, end);
            if (span == NULL || PyList_Append(spans, span) < 0) {
                Py_XDECREF(span);
                goto done;
            }
            Py_DECREF(span);
        }
    }
    result = PyTuple_Pack(2, spans, unknown);
done:
    Py_XDECREF(spans);
    Py_XDECREF(unknown);
    return result;
}

static PyMethodDef scan_methods[] = {
    {"findall", scan_findall, METH_O,
     "findall(text) -> the words of text, as analysis.TOKEN_RE.findall(text)."},
    {"words_and_starts", scan_words_and_starts, METH_O,
     "words_and_starts(text) -> (findall(text), starts(text)), from one scan."},
    {"starts", scan_starts, METH_O,
     "starts(text) -> the offset of each word of text that findall finds."},
    {"joined", (PyCFunction)(void (*)(void))scan_joined, METH_FASTCALL,
     "joined(text, terms, spaced) -> ' '.join(terms[w] for w in findall(text)), or None\n"
     "when a word of text is in the set spaced (or None)."},
    {"joined_pair", (PyCFunction)(void (*)(void))scan_joined_pair, METH_FASTCALL,
     "joined_pair(text, terms, spaced, forms) -> (joined(text, terms, spaced),\n"
     "' '.join(filter(None, (forms[w] for w in findall(text))))), from one scan."},
    {"marked", (PyCFunction)(void (*)(void))scan_marked, METH_FASTCALL,
     "marked(text, terms, wanted, forms, forms_wanted, starts=None) -> (spans, unknown):\n"
     "the (start, end) of each word of text whose terms[word] is in the set wanted or,\n"
     "forms not None, whose forms[word] is in the set forms_wanted; and the words not in\n"
     "terms. With starts (a str), a word whose first character is ASCII and not in\n"
     "starts is skipped: neither looked up nor unknown."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef scan_module = {
    PyModuleDef_HEAD_INIT,
    "_scan",
    "The word scanner of newsearch.analysis, compiled (see analysis.TOKEN_RE).",
    -1,
    scan_methods,
};

PyMODINIT_FUNC
PyInit__scan(void)
{
    return PyModule_Create(&scan_module);
}
