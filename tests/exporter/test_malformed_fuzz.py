# SPDX-License-Identifier: Apache-2.0
"""Property test: many random malformed model files. Every one must be refused with exit status 1,
exactly one line on standard error that starts with "export_model: error:" and names the problem,
and no file written (not the header, not a temporary)."""
import json
import os
import random
import unittest

from common import random_model, run_exporter, scratch_dir

CASES = 440  # seeded: the same files on every run


def valid_doc(rng):
    n_in, hidden, out = rng.randint(1, 5), rng.randint(1, 5), rng.randint(1, 4)
    return json.loads(random_model.model(rng.randrange(1 << 30), n_in, hidden, out))


def pick_list(rng, doc):
    """(key, the list object, a description) of a random vector or matrix row in doc."""
    key = rng.choice(["w1", "b1", "w2", "b2"])
    if key in ("w1", "w2"):
        i = rng.randrange(len(doc[key]))
        return key, doc[key][i], f"{key}[{i}]"
    return key, doc[key], key


# Each mutation breaks a valid document in one way and returns (text, a fragment the error must contain).
def drop_key(rng, doc):
    key = rng.choice(["w1", "b1", "w2", "b2"])
    del doc[key]
    return json.dumps(doc), f"missing key '{key}'"


def wrong_length(rng, doc):
    key, row, _ = pick_list(rng, doc)
    if rng.random() < 0.5 or len(row) == 1:
        row.append(0.5)
    else:
        row.pop()
    if key in ("w1", "w2") and len(doc[key]) > 1:
        return json.dumps(doc), f"'{key}' is ragged"
    # A one-row matrix changes shape as a whole: the vector after it no longer matches.
    return json.dumps(doc), {"w1": "'b1' has", "w2": "'b2' has", "b1": "'b1' has", "b2": "'b2' has"}[key]


def wrong_row_count(rng, doc):
    doc["w2"].append(list(doc["w2"][0])) if rng.random() < 0.5 or len(doc["w2"]) == 1 else doc["w2"].pop()
    return json.dumps(doc), "'w2' has"


def bad_value(rng, doc):
    _, row, where = pick_list(rng, doc)
    j = rng.randrange(len(row))
    token, fragment = rng.choice([("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"),
                                  ('"1.0"', "a string"), ("null", "null"), ("true", "a boolean"), ("false", "a boolean"),
                                  ("{}", "an object"), ("3.5e38", "outside the float range"), ("-1e39", "outside the float range"),
                                  ("1e99999", "outside the float range"), (repr(2.0**128), "outside the float range")])
    row[j] = "@@"
    return json.dumps(doc).replace('"@@"', token, 1), fragment


def nested_too_deep(rng, doc):
    _, row, _ = pick_list(rng, doc)
    j = rng.randrange(len(row))
    row[j] = [row[j]]
    return json.dumps(doc), "is a list"


def empty_part(rng, doc):
    key = rng.choice(["w1", "w2"])
    if rng.random() < 0.5:
        doc[key] = []
        return json.dumps(doc), f"'{key}' has no rows"
    doc[key] = [[] for _ in doc[key]]
    return json.dumps(doc), f"{key}[0] is empty"


def wrong_top_level(rng, doc):
    value = rng.choice([[doc], "w1", 3, None, True])
    return json.dumps(value), "the top level is"


def truncated(rng, doc):
    text = json.dumps(doc)
    return text[:rng.randrange(len(text) - 1)], "not valid JSON"


def garbage(rng, doc):
    text = json.dumps(doc)
    i = rng.randrange(len(text))
    return text[:i] + rng.choice(["}", "]", ",", ":", "#", "'", "\\", "{{"]) + text[i:], ""


def random_bytes(rng, doc):
    # Arbitrary bytes, mostly not UTF-8 at all; a leading '{' so some get past the first character.
    return "{" + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))).decode("latin-1"), "not valid JSON"


def absurdly_deep(rng, doc):
    depth = rng.randrange(50_000, 200_000)
    return '{"w1": ' + "[" * depth + "]" * depth + "}", "not valid JSON"


MUTATIONS = [drop_key, wrong_length, wrong_row_count, bad_value, nested_too_deep, empty_part, wrong_top_level,
             truncated, garbage, random_bytes, absurdly_deep]


class MalformedFuzz(unittest.TestCase):
    def test_random_malformed_models_are_refused(self):
        rng = random.Random(20261128)
        work = scratch_dir(self, "fuzz_")
        out = os.path.join(work, "out.hpp")
        src = os.path.join(work, "in.json")
        refused = 0
        for case in range(CASES):
            mutate = MUTATIONS[case % len(MUTATIONS)]
            text, fragment = mutate(rng, valid_doc(rng))
            if mutate is garbage:
                try:
                    json.loads(text)
                    continue  # the inserted character happened to land inside a string: still valid
                except ValueError:
                    fragment = "not valid JSON"
            with open(src, "wb") as f:
                f.write(text.encode("latin-1") if mutate is random_bytes else text.encode())
            with self.subTest(case=case, mutation=mutate.__name__):
                status, err, _ = run_exporter([src, "--name", "fuzzed", "--out", out, "--c-api"])
                self.assertEqual(status, 1, f"{text!r}: {err}")
                self.assertEqual(len(err.splitlines()), 1, err)
                self.assertTrue(err.startswith("export_model: error: "), err)
                self.assertIn(fragment, err, text)
                self.assertEqual(os.listdir(work), ["in.json"], "a file was written")
                refused += 1
        self.assertGreater(refused, CASES * 9 // 10)
        print(f"\nmalformed-model fuzz: {refused} random malformed files, each refused with one line and no file", end=" ")


if __name__ == "__main__":
    unittest.main()
