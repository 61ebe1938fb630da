#!/usr/bin/env python
"""Build saescope's shipped sample of chat conversations, in the lmsys-chat-1m schema.

All text here was written for saescope: hand-written pools of questions, answers, follow-ups, code,
poems, stories and documents in several languages, combined with seeded choices. No real dataset is
copied. The output is deterministic (fixed seed, gzip mtime 0), so two runs give identical bytes.

    .venv/bin/python scripts/build_sample.py [--out PATH]

Writes saescope/data/sample/lmsys_sample.jsonl.gz and prints a summary of what it wrote.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import math
import random
import re
import sys
import textwrap
from collections import Counter
from fractions import Fraction
from pathlib import Path

SEED = 1_000_003
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "saescope" / "data" / "sample" / "lmsys_sample.jsonl.gz"
KEYS = ("conversation_id", "model", "conversation", "turn", "language", "openai_moderation", "redacted")

# ---------------------------------------------------------------------------------------------------------
# Text helpers. Content is hand-wrapped in this file; T() reflows it into message text: prose lines of a
# paragraph are joined, list items / headings / table rows start new lines, ``` code blocks are kept as
# they are, and ~~~ blocks (poems, addresses) are kept line by line with the ~~~ markers dropped.
# ---------------------------------------------------------------------------------------------------------

_BLOCK = re.compile(r"^\s*([-*+] |\d+[.)] |#{1,6} |\||> )")
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")  # no Hangul: Korean has spaces
_SLOT = re.compile(r"\{(NAME|NAME2)\}")


def T(text: str) -> str:
    """Reflow a hand-wrapped block of message text (see the comment above)."""
    out: list[str] = []
    mode = ""
    joinable = False
    for raw in textwrap.dedent(text).strip("\n").split("\n"):
        line = raw.rstrip()
        s = line.strip()
        if s.startswith("```") and mode != "verbatim":
            out.append(line)
            mode = "" if mode == "code" else "code"
            joinable = False
            continue
        if s == "~~~" and mode != "code":
            mode = "" if mode == "verbatim" else "verbatim"
            joinable = False
            continue
        if mode:
            out.append(line)
            continue
        if not s:
            if out and out[-1] != "":
                out.append("")
            joinable = False
            continue
        if joinable and not _BLOCK.match(line):
            prev = out[-1]
            sep = "" if _CJK.match(prev[-1]) and _CJK.match(s[0]) else " "
            out[-1] = prev + sep + s
            continue
        out.append(line)
        joinable = not s.startswith(("#", "|"))
    return "\n".join(out).strip("\n")


def S(q: str | list[str], a: str, *follow: tuple[str, str]) -> dict:
    """One scenario: phrasings of the first question, its answer, and ordered follow-up (question, answer)."""
    qs = q if isinstance(q, list) else [q]
    return {"q": [T(x) for x in qs], "a": T(a), "f": [(T(fq), T(fa)) for fq, fa in follow]}


def lc_first(s: str) -> str:
    """Lower-case the first letter unless it starts a word like 'I', 'SQL' or 'Python'-style names."""
    if len(s) < 2 or not s[0].isupper() or s.startswith(("I ", "I'")) or not s[1].islower():
        return s
    first = s.split(" ", 1)[0].strip(",.?!:")
    if first in PROPER:
        return s
    return s[0].lower() + s[1:]


PROPER = {
    "Python", "JavaScript", "Rust", "Linux", "Git", "Excel", "English", "French", "Spanish", "German",
    "Chinese", "Japanese", "Mount", "Paris", "Rome", "Tokyo", "Kyoto", "Lisbon", "Mars", "Docker",
    "Bash", "Windows", "Mac", "Einstein", "Newton", "Shakespeare", "Beethoven", "Napoleon", "Italian",
    "Portuguese", "Korean", "Russian", "Greek", "Roman", "Europe", "America", "Africa", "Asia", "React",
    "Pandas", "NumPy", "Vim", "Java", "TypeScript", "Barcelona", "Iceland", "Morocco", "Vietnam",
}

# ---------------------------------------------------------------------------------------------------------
# Models, moderation, names
# ---------------------------------------------------------------------------------------------------------

MODELS = [
    ("vicuna-13b", 30), ("koala-13b", 9), ("alpaca-13b", 7), ("chatglm-6b", 6), ("llama-2-13b-chat", 8),
    ("gpt-3.5-turbo", 7), ("gpt-4", 5), ("claude-1", 5), ("claude-instant-1", 4), ("palm-2", 4),
    ("oasst-pythia-12b", 5), ("fastchat-t5-3b", 4), ("mpt-7b-chat", 4), ("wizardlm-13b", 5),
    ("vicuna-33b", 5), ("RWKV-4-Raven-14B", 3), ("dolly-v2-12b", 3), ("stablelm-tuned-alpha-7b", 3),
    ("guanaco-33b", 3), ("llama-13b", 2), ("claude-2", 3), ("vicuna-7b", 3), ("mpt-30b-chat", 2),
    ("gpt4all-13b-snoozy", 2), ("chatglm2-6b", 2), ("llama-2-7b-chat", 3),
]
CODE_MODELS = [("codellama-34b-instruct", 3), ("gpt-4", 3), ("vicuna-33b", 2), ("wizardlm-13b", 2)]

MODERATION_CATEGORIES = (
    "harassment", "harassment/threatening", "hate", "hate/threatening", "self-harm", "self-harm/instructions",
    "self-harm/intent", "sexual", "sexual/minors", "violence", "violence/graphic",
)

NAMES = {
    "English": ["Emily", "James", "Sarah", "Michael", "Priya", "Daniel", "Olivia", "Tom", "Grace", "Marcus",
                "Hannah", "Leo", "Chloe", "Ryan", "Aisha", "Ben"],
    "French": ["Camille", "Julien", "Claire", "Antoine", "Léa", "Mathieu"],
    "Spanish": ["Lucía", "Javier", "Carmen", "Diego", "Sofía", "Pablo"],
    "German": ["Lena", "Jonas", "Katrin", "Felix", "Anna", "Stefan"],
    "Portuguese": ["Ana", "João", "Beatriz", "Rafael", "Mariana", "Tiago"],
    "Italian": ["Giulia", "Marco", "Chiara", "Luca", "Francesca"],
    "Russian": ["Анна", "Дмитрий", "Ольга", "Сергей", "Мария", "Иван"],
    "Chinese": ["王芳", "李明", "张伟", "刘洋", "陈静"],
    "Japanese": ["佐藤", "鈴木", "高橋", "田中", "山本"],
    "Korean": ["김민준", "이서연", "박지훈", "최수아"],
}

# Per-language phrasing kits: openers for a first question, acknowledgements that may start an answer,
# connectors that start a new question later in a conversation, and (thanks, reply) closing pairs.
KITS: dict[str, dict] = {
    "English": {
        "open": ["", "", "", "", "", "Hi! ", "Hello. ", "Hey, ", "Quick question: ", "Hi there. ",
                 "Can you help me with something? ", "I have a question. ", "Hello! "],
        "ack": ["", "", "", "", "Sure! ", "Of course. ", "Certainly! ", "Happy to help. ", "Sure thing. "],
        "next": ["Thanks. Another question: ", "OK, next question. ", "Got it. Different topic: ",
                 "Great, thanks! ", "One more thing. ", "Thanks! Now something else: ", "Cool. ",
                 "Thanks, that helps. Next: ", "Nice. "],
        "thanks": [
            ("Thanks, that's really "
             "helpful!", "You're welcome! Let me know if there's anything else I can help with."),
            ("thank you so "
             "much", "You're very welcome! Good luck, and feel free to come back with more questions."),
            ("Perfect, thanks.", "Glad it helped!"),
            ("ok got it, thanks", "Great! If anything is still unclear, just ask."),
            ("Awesome. That's exactly what I needed.", "Happy to hear that! Have a great day."),
            ("thx", "You're welcome!"),
            ("Great explanation, thank you!", "Thank you, I'm glad it was clear. Feel free to ask follow-up "
             "questions any time."),
            ("This is great, I'll try it out tonight.", "Sounds good! If you run into any problems, tell me "
             "what happened and we can figure it out together."),
        ],
    },
}

# =========================================================================================================
# English topic families. Each is a list of scenarios; see S().
# =========================================================================================================

PYTHON = [
    S(
        ["How do I check if a string is a palindrome in Python?",
         "write a python function that checks whether a word is a palindrome",
         "What's the cleanest way to test for palindromes in Python?"],
        r"""
        A palindrome reads the same forwards and backwards, so the simplest check compares the string with
        its reverse. Slicing with a step of -1 reverses a string:

        ```python
        def is_palindrome(text: str) -> bool:
            return text == text[::-1]

        print(is_palindrome("level"))   # True
        print(is_palindrome("python"))  # False
        ```

        For real sentences you usually want to ignore case, spaces and punctuation, so normalise first:

        ```python
        def is_palindrome(text: str) -> bool:
            cleaned = [ch.lower() for ch in text if ch.isalnum()]
            return cleaned == cleaned[::-1]

        print(is_palindrome("A man, a plan, a canal: Panama"))  # True
        ```

        `str.isalnum()` keeps only letters and digits, and `lower()` makes the comparison case-insensitive.
        Both versions run in O(n) time.
        """,
        ("Can you do it without creating a reversed copy?",
         r"""
         Yes. Use two indexes that walk towards each other from both ends and stop at the first mismatch:

         ```python
         def is_palindrome(text: str) -> bool:
             left, right = 0, len(text) - 1
             while left < right:
                 if text[left] != text[right]:
                     return False
                 left += 1
                 right -= 1
             return True
         ```

         This uses O(1) extra memory and can return early, which helps for long strings that are clearly
         not palindromes. For short strings the slicing version is just as fast in practice and easier to
         read, so I would only switch if memory really matters.
         """),
        ("and how would I find the longest palindrome inside a longer string?",
         r"""
         A classic approach is "expand around the centre". Every palindrome has a centre: either one
         character (odd length) or the gap between two characters (even length). Try each centre and
         expand while the characters match:

         ```python
         def longest_palindrome(s: str) -> str:
             best = ""
             for centre in range(len(s)):
                 for lo, hi in ((centre, centre), (centre, centre + 1)):
                     while lo >= 0 and hi < len(s) and s[lo] == s[hi]:
                         lo -= 1
                         hi += 1
                     candidate = s[lo + 1:hi]
                     if len(candidate) > len(best):
                         best = candidate
             return best

         print(longest_palindrome("forgeeksskeegfor"))  # geeksskeeg
         ```

         That is O(n²) time and O(1) extra space, which is fine for strings up to a few thousand
         characters. Manacher's algorithm does it in O(n) but is much harder to get right.
         """),
    ),
    S(
        ["I have a CSV file with columns name, department, salary. How do I compute the average salary per "
         "department in Python?",
         "average salary by department from a csv file, python, without pandas if possible"],
        r"""
        You can do this with the standard library alone using `csv.DictReader` and a dictionary that
        collects totals and counts:

        ```python
        import csv
        from collections import defaultdict

        totals = defaultdict(float)
        counts = defaultdict(int)

        with open("employees.csv", newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                dept = row["department"].strip()
                totals[dept] += float(row["salary"])
                counts[dept] += 1

        for dept in sorted(totals):
            print(f"{dept:<15} {totals[dept] / counts[dept]:>10.2f}")
        ```

        A few notes:

        - `DictReader` uses the first line as the header, so you can access columns by name.
        - `newline=""` is what the csv module documentation recommends when opening the file.
        - `defaultdict` saves you from checking whether a department is already in the dictionary.

        If you already use pandas, the same thing is one line:
        `pd.read_csv("employees.csv").groupby("department")["salary"].mean()`.
        """,
        ("Some rows have an empty salary and it crashes with ValueError. How do I skip those?",
         r"""
         Check the field before converting it, and count the rows you skipped so you know how many were
         bad:

         ```python
         skipped = 0
         with open("employees.csv", newline="", encoding="utf-8") as f:
             for row in csv.DictReader(f):
                 raw = (row.get("salary") or "").strip()
                 try:
                     salary = float(raw)
                 except ValueError:
                     skipped += 1
                     continue
                 dept = row["department"].strip()
                 totals[dept] += salary
                 counts[dept] += 1

         print(f"skipped {skipped} rows with a missing or invalid salary")
         ```

         The `try/except` also catches values such as "N/A" or "12,000" (with a comma), not just empty
         strings. If your file uses thousands separators you could do `raw.replace(",", "")` first.
         """),
        ("Could you also write the result to a new CSV instead of printing it?",
         r"""
         Sure, use `csv.writer` and write a header row first:

         ```python
         with open("average_salary.csv", "w", newline="", encoding="utf-8") as out:
             writer = csv.writer(out)
             writer.writerow(["department", "employees", "average_salary"])
             for dept in sorted(totals):
                 writer.writerow([dept, counts[dept], round(totals[dept] / counts[dept], 2)])
         ```

         The output has one line per department, sorted alphabetically, with the number of employees
         that contributed to each average. Opening with `"w"` overwrites the file each time you run it.
         """),
    ),
    S(
        ["Can you explain list comprehensions in Python with examples?",
         "what is a list comprehension and when should I use one",
         "I keep seeing code like [x*2 for x in nums]. What is that syntax?"],
        r"""
        A list comprehension is a compact way to build a new list by transforming and/or filtering the
        items of another iterable. The general shape is:

        ```python
        [expression for item in iterable if condition]
        ```

        Some examples:

        ```python
        nums = [1, 2, 3, 4, 5, 6]

        doubled = [x * 2 for x in nums]              # [2, 4, 6, 8, 10, 12]
        evens = [x for x in nums if x % 2 == 0]      # [2, 4, 6]
        words = ["apple", "Banana", "cherry"]
        upper = [w.upper() for w in words]           # ['APPLE', 'BANANA', 'CHERRY']
        pairs = [(x, y) for x in "ab" for y in (1, 2)]  # [('a', 1), ('a', 2), ('b', 1), ('b', 2)]
        ```

        The first one is equivalent to this loop:

        ```python
        doubled = []
        for x in nums:
            doubled.append(x * 2)
        ```

        Use a comprehension when the logic fits comfortably on one line. If you need several conditions,
        try/except, or side effects like printing, a normal loop is easier to read. There are also dict
        comprehensions (`{k: v for ...}`), set comprehensions (`{x for ...}`) and generator expressions
        (`(x for ...)`), which produce items lazily instead of building a whole list.
        """,
        ("What's the difference between the list comprehension and the generator expression version?",
         r"""
         The list comprehension builds the entire list in memory right away. A generator expression
         creates an object that produces one item at a time, only when asked:

         ```python
         squares_list = [n * n for n in range(10_000_000)]   # allocates ten million ints now
         squares_gen = (n * n for n in range(10_000_000))    # allocates almost nothing

         total = sum(n * n for n in range(10_000_000))       # no brackets needed inside a call
         ```

         Use a generator when you only iterate once (for example feeding `sum`, `max`, `any`, or a
         `for` loop), especially over large data. Use a list when you need to index into the result,
         iterate over it several times, or know its length. Note that a generator is exhausted after one
         pass: iterating it a second time gives nothing.
         """),
    ),
    S(
        ["Why does my function keep remembering values between calls?\n\n```python\ndef add_item(item, "
         "items=[]):\n    items.append(item)\n    return items\n\nprint(add_item(1))\nprint(add_item(2))\n```"
         "\n\nThe second print shows [1, 2] but I expected [2].",
         "weird python bug: default list argument keeps growing every time i call the function. why??"],
        r"""
        This is one of Python's best-known gotchas: **default argument values are evaluated once, when the
        function is defined**, not each time it is called. So every call that omits `items` shares the
        very same list object, and `append` keeps modifying it.

        The standard fix is to use `None` as the default and create a fresh list inside the function:

        ```python
        def add_item(item, items=None):
            if items is None:
                items = []
            items.append(item)
            return items

        print(add_item(1))  # [1]
        print(add_item(2))  # [2]
        ```

        The same applies to any mutable default: dictionaries, sets, or instances of your own classes.
        Immutable defaults such as numbers, strings, tuples and `None` are safe. Linters like ruff and
        pylint warn about this pattern (the rule is often called "mutable default argument"), so it is
        worth enabling one.
        """,
        ("Is there ever a legit reason to use a mutable default on purpose?",
         r"""
         Occasionally people use it as a quick cache, because the shared object survives between calls:

         ```python
         def fib(n, _cache={0: 0, 1: 1}):
             if n not in _cache:
                 _cache[n] = fib(n - 1) + fib(n - 2)
             return _cache[n]
         ```

         It works, but it surprises readers and the cache can be changed by a caller who passes the
         argument. The clearer modern alternative is `functools.lru_cache` (or `functools.cache`):

         ```python
         from functools import cache

         @cache
         def fib(n):
             return n if n < 2 else fib(n - 1) + fib(n - 2)
         ```

         So: possible, but I would avoid it in code other people will read.
         """),
    ),
    S(
        ["How do I write a decorator that measures how long a function takes to run?",
         "python decorator to time functions",
         "Write me a timing decorator in Python and explain how decorators work."],
        r"""
        A decorator is a function that takes a function and returns a new function that wraps it. Here is
        a timing decorator:

        ```python
        import functools
        import time

        def timed(func):
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                start = time.perf_counter()
                try:
                    return func(*args, **kwargs)
                finally:
                    elapsed = time.perf_counter() - start
                    print(f"{func.__name__} took {elapsed:.4f} s")
            return wrapper

        @timed
        def slow_sum(n):
            return sum(i * i for i in range(n))

        slow_sum(5_000_000)   # prints e.g. "slow_sum took 0.3121 s"
        ```

        How it works:

        1. `@timed` above `def slow_sum` is shorthand for `slow_sum = timed(slow_sum)`.
        2. `wrapper` accepts any arguments with `*args, **kwargs` and passes them through.
        3. `time.perf_counter()` is the right clock for measuring durations (monotonic, high resolution).
        4. The `try/finally` makes sure the time is printed even if the function raises.
        5. `functools.wraps` copies the original name and docstring onto the wrapper, so debugging
           tools and `help()` still show `slow_sum` instead of `wrapper`.
        """,
        ("Can the decorator take an argument, like a label or a unit?",
         r"""
         Yes, you add one more layer: a function that takes the arguments and returns the actual
         decorator.

         ```python
         def timed(label=None, unit="s"):
             scale = {"s": 1, "ms": 1_000, "us": 1_000_000}[unit]

             def decorator(func):
                 name = label or func.__name__

                 @functools.wraps(func)
                 def wrapper(*args, **kwargs):
                     start = time.perf_counter()
                     try:
                         return func(*args, **kwargs)
                     finally:
                         print(f"{name}: {(time.perf_counter() - start) * scale:.2f} {unit}")
                 return wrapper
             return decorator

         @timed(label="load data", unit="ms")
         def load():
             time.sleep(0.25)
         ```

         Calling `load()` prints something like `load data: 250.31 ms`. Note the parentheses: with this
         version you must write `@timed()` even when you use the defaults.
         """),
        ("How would I log to a file instead of printing?",
         r"""
         Replace `print` with the `logging` module and configure a file handler once at start-up:

         ```python
         import logging

         logging.basicConfig(filename="timings.log", level=logging.INFO,
                             format="%(asctime)s %(levelname)s %(message)s")
         log = logging.getLogger("timing")

         # inside wrapper:
         log.info("%s took %.4f s", func.__name__, elapsed)
         ```

         Passing the values as arguments (instead of an f-string) lets logging skip the formatting when
         the level is disabled. You can later switch to rotating files or send the logs elsewhere without
         touching the decorator.
         """),
    ),
    S(
        ["How do I call a REST API in Python and handle errors properly?",
         "python requests get json with timeout and error handling example"],
        r"""
        The `requests` library is the usual choice. The important parts are a timeout, checking the HTTP
        status, and catching network errors separately from bad data:

        ```python
        import requests

        def get_user(user_id: int) -> dict | None:
            url = f"https://api.example.com/users/{user_id}"
            try:
                resp = requests.get(url, timeout=10, headers={"Accept": "application/json"})
                resp.raise_for_status()
            except requests.Timeout:
                print("The server took too long to answer.")
                return None
            except requests.HTTPError as err:
                print(f"HTTP error {err.response.status_code}: {err.response.text[:200]}")
                return None
            except requests.RequestException as err:
                print(f"Network problem: {err}")
                return None

            try:
                return resp.json()
            except ValueError:
                print("The response was not valid JSON.")
                return None
        ```

        Why each piece matters:

        - Without `timeout`, a request can hang forever if the server never answers.
        - `raise_for_status()` turns 4xx and 5xx responses into exceptions; otherwise a 404 page would
          look like a success.
        - `RequestException` is the base class for connection errors, DNS failures, and so on.
        - `resp.json()` raises `ValueError` (a `JSONDecodeError`) if the body is not JSON.

        In a real application you would usually log instead of printing, and maybe retry on 5xx errors.
        """,
        ("How do I add automatic retries for those 5xx errors?",
         r"""
         `requests` can reuse urllib3's retry logic through an `HTTPAdapter` mounted on a `Session`:

         ```python
         from requests.adapters import HTTPAdapter
         from urllib3.util.retry import Retry

         retry = Retry(
             total=3,
             backoff_factor=0.5,                    # waits 0.5 s, 1 s, 2 s between tries
             status_forcelist=(500, 502, 503, 504),
             allowed_methods=("GET", "HEAD"),
         )
         session = requests.Session()
         session.mount("https://", HTTPAdapter(max_retries=retry))

         resp = session.get("https://api.example.com/users/42", timeout=10)
         ```

         Only retry idempotent methods such as GET by default; retrying a POST might create the same
         record twice. A `Session` also reuses TCP connections, which makes many calls to the same host
         noticeably faster.
         """),
    ),
    S(
        ["What's the difference between a list and a tuple in Python?",
         "list vs tuple python, when to use which?"],
        r"""
        Both are ordered sequences that can hold any kind of object, but they differ in a few important
        ways:

        | | list | tuple |
        |---|---|---|
        | Syntax | `[1, 2, 3]` | `(1, 2, 3)` |
        | Mutable? | Yes: you can append, remove, change items | No: fixed once created |
        | Hashable? | No | Yes, if all its items are hashable |
        | Typical use | A collection of similar things that changes | A fixed record of related values |

        Practical consequences:

        - Because tuples are immutable and hashable, they can be dictionary keys or set members:
          `distances[("Paris", "Lyon")] = 465`. A list cannot.
        - Functions often return tuples for multiple values: `return width, height`.
        - Tuples are slightly smaller and faster to create, but that rarely matters.

        A good rule of thumb: use a list for "many items of the same kind" (a list of users) and a tuple
        for "one item made of several parts" (a point `(x, y)`, an RGB colour). For records with named
        fields, `typing.NamedTuple` or a `dataclass` is even clearer.
        """,
        ("So is a tuple completely unchangeable? What if it contains a list?",
         r"""
         The tuple itself cannot change: you cannot add, remove or replace its items. But if one of its
         items is a mutable object, that object can still be modified in place:

         ```python
         t = (1, [2, 3])
         t[1].append(4)
         print(t)        # (1, [2, 3, 4])
         t[1] = [9]      # TypeError: 'tuple' object does not support item assignment
         ```

         Immutability is "shallow". This is also why such a tuple is not hashable: `hash((1, [2, 3]))`
         raises `TypeError`, because its contents could change.
         """),
    ),
    S(
        ["How do I sort a list of dictionaries by a value in Python?",
         "sort list of dicts by 'age' key then by name"],
        r"""
        Use `sorted()` (or `list.sort()`) with a `key` function that extracts the value to sort by:

        ```python
        people = [
            {"name": "Maya", "age": 31},
            {"name": "Arjun", "age": 25},
            {"name": "Lena", "age": 31},
            {"name": "Tom", "age": 19},
        ]

        by_age = sorted(people, key=lambda p: p["age"])
        oldest_first = sorted(people, key=lambda p: p["age"], reverse=True)

        # several keys: age, then name alphabetically for people of the same age
        by_age_name = sorted(people, key=lambda p: (p["age"], p["name"]))
        ```

        `sorted` returns a new list and leaves the original alone; `people.sort(key=...)` sorts in place
        and returns `None`. Python's sort is stable, so items with equal keys keep their original order.

        `operator.itemgetter` is a slightly faster, tidier alternative to the lambda:

        ```python
        from operator import itemgetter
        by_age_name = sorted(people, key=itemgetter("age", "name"))
        ```
        """,
        ("How would I sort by age descending but name ascending?",
         r"""
         With numbers you can negate the value inside the key tuple:

         ```python
         result = sorted(people, key=lambda p: (-p["age"], p["name"]))
         ```

         That gives Lena (31), Maya (31), Arjun (25), Tom (19). If the descending field is not numeric
         (say, a string), use stability instead and sort twice, starting with the least important key:

         ```python
         result = sorted(people, key=lambda p: p["name"])               # secondary key first
         result = sorted(result, key=lambda p: p["age"], reverse=True)  # then primary key
         ```
         """),
        ("What happens if some dicts don't have the age key?",
         r"""
         `p["age"]` raises `KeyError`. Use `dict.get` with a default that puts the missing ones where you
         want them, for example at the end:

         ```python
         result = sorted(people, key=lambda p: (p.get("age") is None, p.get("age", 0), p["name"]))
         ```

         The first element of the tuple is `False` for people with an age and `True` for those without,
         and since `False < True`, everyone with an age comes first.
         """),
    ),
    S(
        ["How do I count the most common words in a text file with Python?",
         "python script to find the 10 most frequent words in a book"],
        r"""
        `collections.Counter` is made for this. Read the file, normalise the words, and ask for the most
        common ones:

        ```python
        import re
        from collections import Counter

        with open("book.txt", encoding="utf-8") as f:
            text = f.read().lower()

        words = re.findall(r"[a-z']+", text)
        counts = Counter(words)

        for word, n in counts.most_common(10):
            print(f"{word:<12}{n}")
        ```

        The regular expression keeps runs of letters and apostrophes, so punctuation and numbers are
        dropped and "don't" stays one word. On most books the top of the list will be words like "the",
        "and", "of". To find more interesting words, remove a set of stop words first:

        ```python
        stop = {"the", "and", "of", "to", "a", "in", "it", "is", "that", "i", "was", "he", "she"}
        counts = Counter(w for w in words if w not in stop)
        ```
        """,
        ("The file is 2 GB, will reading it all at once be a problem?",
         r"""
         Yes, `f.read()` would load the whole 2 GB into memory (and the lowercase copy doubles that).
         Process it line by line instead; `Counter.update` adds counts incrementally:

         ```python
         counts = Counter()
         with open("book.txt", encoding="utf-8") as f:
             for line in f:
                 counts.update(w for w in re.findall(r"[a-z']+", line.lower()) if w not in stop)
         ```

         Memory now depends on the number of distinct words, not the size of the file, which is usually
         a few hundred thousand entries at most.
         """),
    ),
    S(
        ["How do virtual environments work in Python and why should I use them?",
         "what is venv and do I really need it"],
        r"""
        A virtual environment is a self-contained folder with its own Python interpreter link and its own
        `site-packages` directory. Packages you install while it is active go into that folder instead of
        your system-wide Python.

        Why it matters:

        - **Isolation**: project A can use Django 4 while project B uses Django 5.
        - **Reproducibility**: you can list exactly what a project needs (`pip freeze > requirements.txt`).
        - **Safety**: you do not break tools of your operating system that depend on the system Python.

        Basic usage:

        ```bash
        python3 -m venv .venv            # create it inside the project
        source .venv/bin/activate        # macOS / Linux
        .venv\Scripts\activate           # Windows
        pip install requests             # installs into .venv only
        deactivate                       # leave the environment
        ```

        Activation only changes your shell's `PATH` so that `python` and `pip` point into `.venv`. You
        can also skip activation and call `.venv/bin/python script.py` directly. Add `.venv/` to your
        `.gitignore`; commit the requirements file instead of the environment itself.
        """,
        ("what about conda or poetry, are they the same thing?",
         r"""
         They solve overlapping problems:

         - **venv + pip**: built in, lightweight, Python packages only.
         - **conda**: manages environments *and* non-Python dependencies (CUDA, compilers, C libraries),
           and can install different Python versions. Popular in data science.
         - **Poetry / uv / PDM / Hatch**: project managers that create venvs for you, resolve dependency
           versions, write a lock file, and build packages from `pyproject.toml`.

         If you are starting out, plain venv is perfectly fine. Reach for conda when you need compiled
         scientific libraries that are painful to install, and for a project manager when you want lock
         files and publishing handled for you.
         """),
    ),
    S(
        ["Explain recursion with a Python example, I don't get it",
         "can you help me understand recursive functions? maybe with factorial"],
        r"""
        A recursive function solves a problem by calling itself on a smaller version of the same problem,
        until it reaches a case small enough to answer directly (the **base case**).

        Factorial is the classic example: 5! = 5 × 4 × 3 × 2 × 1, and notice that 5! = 5 × 4!.

        ```python
        def factorial(n: int) -> int:
            if n <= 1:          # base case: stop here
                return 1
            return n * factorial(n - 1)   # recursive case: a smaller problem

        print(factorial(5))  # 120
        ```

        What happens when you call `factorial(3)`:

        ```
        factorial(3) = 3 * factorial(2)
                         factorial(2) = 2 * factorial(1)
                                          factorial(1) = 1      <- base case
                         factorial(2) = 2 * 1 = 2
        factorial(3) = 3 * 2 = 6
        ```

        Each call waits for the one below it, then multiplies. Two rules keep recursion safe: there must
        be a base case, and every recursive call must move towards it. Without them you get
        `RecursionError: maximum recursion depth exceeded` (Python stops at about 1000 nested calls).
        """,
        ("Ok that makes sense. Where is recursion actually useful, not just factorial?",
         r"""
         Recursion shines when the data itself is nested or branching:

         - **Walking a folder tree**: a folder contains files and folders, which contain files and folders.
         - **Parsing nested structures**: JSON, HTML, arithmetic expressions with parentheses.
         - **Trees and graphs**: searching a binary tree, depth-first search.
         - **Divide and conquer**: merge sort and quicksort split the list and sort each half.

         For example, summing all numbers in an arbitrarily nested list:

         ```python
         def deep_sum(items):
             total = 0
             for x in items:
                 total += deep_sum(x) if isinstance(x, list) else x
             return total

         print(deep_sum([1, [2, 3], [4, [5, [6]]]]))  # 21
         ```

         Writing that with plain loops would need an explicit stack. For simple counting loops like
         factorial, an ordinary loop is actually the better choice in Python.
         """),
    ),
    S(
        ["How can I read and write JSON files in Python?",
         "save a dict to a json file and load it back python"],
        r"""
        The built-in `json` module handles both directions:

        ```python
        import json

        settings = {"theme": "dark", "font_size": 14, "recent": ["notes.txt", "todo.md"]}

        # write
        with open("settings.json", "w", encoding="utf-8") as f:
            json.dump(settings, f, indent=2, ensure_ascii=False)

        # read
        with open("settings.json", encoding="utf-8") as f:
            loaded = json.load(f)

        print(loaded["recent"][0])  # notes.txt
        ```

        - `dump`/`load` work with files; `dumps`/`loads` (with an "s" for string) work with strings.
        - `indent=2` makes the file human-readable.
        - `ensure_ascii=False` keeps characters like "é" or "日本" as they are instead of `\u00e9` escapes.

        JSON only knows objects, arrays, strings, numbers, booleans and null. Python tuples become lists,
        dictionary keys become strings, and things like `datetime` or sets raise `TypeError` unless you
        convert them first.
        """,
        ("how do I save a datetime then?",
         r"""
         Convert it to an ISO 8601 string when saving and parse it back when loading:

         ```python
         from datetime import datetime

         data = {"saved_at": datetime.now().isoformat()}
         text = json.dumps(data)                              # {"saved_at": "2024-03-05T14:22:10.512"}
         restored = datetime.fromisoformat(json.loads(text)["saved_at"])
         ```

         If you have many such objects, pass `default=` to `json.dump` to handle them automatically:

         ```python
         def encode(obj):
             if isinstance(obj, datetime):
                 return obj.isoformat()
             if isinstance(obj, set):
                 return sorted(obj)
             raise TypeError(f"cannot serialise {type(obj).__name__}")

         json.dump(data, f, default=encode)
         ```
         """),
    ),
]

JAVASCRIPT = [
    S(
        ["How do I write a debounce function in JavaScript?",
         "what is debouncing in js and can you show me an implementation",
         "My search box sends a request on every keystroke. How do I debounce it?"],
        r"""
        Debouncing delays a function until a burst of calls has stopped for a given time. For a search
        box, that means you only send a request once the user pauses typing.

        ```javascript
        function debounce(fn, delay = 300) {
          let timerId;
          return function (...args) {
            clearTimeout(timerId);
            timerId = setTimeout(() => fn.apply(this, args), delay);
          };
        }

        const input = document.querySelector("#search");
        const search = debounce((event) => {
          fetch(`/api/search?q=${encodeURIComponent(event.target.value)}`)
            .then((res) => res.json())
            .then(renderResults);
        }, 400);

        input.addEventListener("input", search);
        ```

        Every keystroke cancels the previous timer and starts a new one, so `fn` only runs when 400 ms
        pass without typing. The closure keeps `timerId` private to each debounced function, and
        `fn.apply(this, args)` preserves both `this` and the original arguments.
        """,
        ("What's the difference between debounce and throttle?",
         r"""
         - **Debounce** waits for silence: the function runs once, after calls stop for `delay` ms.
           Good for search boxes, window-resize handlers, autosave.
         - **Throttle** guarantees a maximum rate: the function runs at most once every `delay` ms while
           calls keep coming. Good for scroll handlers, mouse-move tracking, game input.

         A simple throttle:

         ```javascript
         function throttle(fn, interval = 200) {
           let last = 0;
           return function (...args) {
             const now = Date.now();
             if (now - last >= interval) {
               last = now;
               fn.apply(this, args);
             }
           };
         }
         ```

         If a user scrolls continuously for two seconds, a 200 ms throttle fires about ten times, while a
         200 ms debounce fires once, after the scrolling stops.
         """),
        ("Can the debounced search cancel the old fetch requests too?",
         r"""
         Yes, with `AbortController`. Keep the controller of the last request and abort it before starting
         a new one, so slow old responses can never overwrite newer results:

         ```javascript
         let controller;

         const search = debounce(async (event) => {
           controller?.abort();
           controller = new AbortController();
           try {
             const res = await fetch(`/api/search?q=${encodeURIComponent(event.target.value)}`, {
               signal: controller.signal,
             });
             renderResults(await res.json());
           } catch (err) {
             if (err.name !== "AbortError") console.error(err);
           }
         }, 400);
         ```

         An aborted fetch rejects with an `AbortError`, which we ignore because it is expected.
         """),
    ),
    S(
        ["Can you explain async/await in JavaScript with an example?",
         "I don't understand promises vs async await. Help?"],
        r"""
        `async`/`await` is a nicer syntax on top of Promises. A Promise represents a value that will be
        available later (or an error). `await` pauses an `async` function until the Promise settles,
        without blocking the rest of the page.

        The same code, with `.then()` and with `await`:

        ```javascript
        // Promise chain
        function loadUser(id) {
          return fetch(`/api/users/${id}`)
            .then((res) => {
              if (!res.ok) throw new Error(`HTTP ${res.status}`);
              return res.json();
            })
            .then((user) => user.name)
            .catch((err) => {
              console.error("failed:", err);
              return null;
            });
        }

        // async/await
        async function loadUserName(id) {
          try {
            const res = await fetch(`/api/users/${id}`);
            if (!res.ok) throw new Error(`HTTP ${res.status}`);
            const user = await res.json();
            return user.name;
          } catch (err) {
            console.error("failed:", err);
            return null;
          }
        }
        ```

        Key points:

        - An `async` function always returns a Promise, so callers use `await loadUserName(1)` or
          `.then()`.
        - `await` only works inside `async` functions (and at the top level of ES modules).
        - Errors become exceptions you catch with `try/catch`, which reads like synchronous code.
        """,
        ("If I need to load 5 users, should I await them in a loop?",
         r"""
         Awaiting inside a loop runs the requests one after another, so five 200 ms requests take about a
         second. If they don't depend on each other, start them all and wait once with `Promise.all`:

         ```javascript
         const ids = [1, 2, 3, 4, 5];
         const names = await Promise.all(ids.map((id) => loadUserName(id)));
         ```

         Now they run concurrently and the total time is roughly that of the slowest one. `Promise.all`
         rejects as soon as one Promise rejects; if you want every result, successes and failures, use
         `Promise.allSettled` instead:

         ```javascript
         const results = await Promise.allSettled(ids.map(loadUserName));
         const ok = results.filter((r) => r.status === "fulfilled").map((r) => r.value);
         ```
         """),
    ),
    S(
        ["Explain map, filter and reduce in JavaScript",
         "how do i use reduce in javascript? i always get confused"],
        r"""
        All three are array methods that take a callback and return something new without modifying the
        original array.

        ```javascript
        const orders = [
          { id: 1, total: 25.5, status: "paid" },
          { id: 2, total: 80.0, status: "pending" },
          { id: 3, total: 12.75, status: "paid" },
        ];

        // map: transform every element -> array of the same length
        const totals = orders.map((o) => o.total);               // [25.5, 80, 12.75]

        // filter: keep elements where the callback returns true
        const paid = orders.filter((o) => o.status === "paid");  // orders 1 and 3

        // reduce: combine all elements into one value
        const revenue = paid.reduce((sum, o) => sum + o.total, 0);  // 38.25
        ```

        `reduce` is the confusing one. The callback receives an **accumulator** (the running result)
        and the current element, and returns the new accumulator. The second argument (`0` above) is the
        starting value. Step by step: start with 0, add 25.5 → 25.5, add 12.75 → 38.25.

        You can chain them: `orders.filter(...).map(...).reduce(...)`. Always pass the initial value
        to `reduce`; without it, an empty array throws a `TypeError`.
        """,
        ("Can reduce build an object, like counting orders per status?",
         r"""
         Yes, the accumulator can be any value, including an object:

         ```javascript
         const countByStatus = orders.reduce((acc, o) => {
           acc[o.status] = (acc[o.status] ?? 0) + 1;
           return acc;
         }, {});

         console.log(countByStatus); // { paid: 2, pending: 1 }
         ```

         Don't forget to `return acc`, otherwise the next iteration receives `undefined`. Recent
         JavaScript versions also have `Object.groupBy(orders, (o) => o.status)`, which returns the
         grouped arrays directly.
         """),
    ),
    S(
        ["What is the difference between var, let and const?",
         "js: var vs let vs const, which one should I use"],
        r"""
        | | `var` | `let` | `const` |
        |---|---|---|---|
        | Scope | Function | Block `{ }` | Block `{ }` |
        | Can be reassigned | Yes | Yes | No |
        | Hoisting | Hoisted as `undefined` | Hoisted, unusable before its declaration | Same as `let` |
        | Redeclare in the same scope | Allowed | Error | Error |

        The block-scope difference is the one that bites people:

        ```javascript
        for (var i = 0; i < 3; i++) {
          setTimeout(() => console.log(i), 0);   // prints 3, 3, 3
        }
        for (let j = 0; j < 3; j++) {
          setTimeout(() => console.log(j), 0);   // prints 0, 1, 2
        }
        ```

        With `var` there is a single `i` shared by all callbacks; `let` creates a fresh binding for each
        iteration.

        Modern advice: use `const` by default, `let` when you really need to reassign, and avoid `var`.
        Note that `const` prevents reassigning the variable, not changing the object it points to:
        `const arr = []; arr.push(1);` is fine.
        """,
    ),
    S(
        ["How do I build a simple to-do list with plain JavaScript, no frameworks?",
         "simple todo app html + vanilla js"],
        r"""
        Here is a small, complete example: one HTML file with an input, a button, and a list. Items can be
        added, toggled as done, and deleted, and they are saved in `localStorage`.

        ```html
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>To-do</title>
          <style>
            .done { text-decoration: line-through; color: #888; }
            li { cursor: pointer; margin: 4px 0; }
          </style>
        </head>
        <body>
          <form id="new-todo">
            <input id="text" placeholder="What needs doing?" required>
            <button>Add</button>
          </form>
          <ul id="list"></ul>

          <script>
            const todos = JSON.parse(localStorage.getItem("todos") ?? "[]");
            const list = document.getElementById("list");

            function save() {
              localStorage.setItem("todos", JSON.stringify(todos));
            }

            function render() {
              list.innerHTML = "";
              todos.forEach((todo, i) => {
                const li = document.createElement("li");
                li.textContent = todo.text;
                li.className = todo.done ? "done" : "";
                li.addEventListener("click", () => { todo.done = !todo.done; save(); render(); });
                const del = document.createElement("button");
                del.textContent = "×";
                del.addEventListener("click", (e) => {
                  e.stopPropagation();
                  todos.splice(i, 1);
                  save();
                  render();
                });
                li.append(" ", del);
                list.append(li);
              });
            }

            document.getElementById("new-todo").addEventListener("submit", (e) => {
              e.preventDefault();
              const input = document.getElementById("text");
              todos.push({ text: input.value.trim(), done: false });
              input.value = "";
              save();
              render();
            });

            render();
          </script>
        </body>
        </html>
        ```

        Using `textContent` rather than `innerHTML` for the item text prevents someone from injecting
        HTML through the input. `e.stopPropagation()` stops the delete click from also toggling the item.
        """,
        ("How can I add a filter to show only the unfinished items?",
         r"""
         Keep a `filter` variable, add three buttons, and skip items in `render` that don't match:

         ```javascript
         let filter = "all"; // "all" | "active" | "done"

         document.querySelectorAll("[data-filter]").forEach((btn) =>
           btn.addEventListener("click", () => { filter = btn.dataset.filter; render(); })
         );

         // in render(), at the top of the forEach callback:
         if (filter === "active" && todo.done) return;
         if (filter === "done" && !todo.done) return;
         ```

         And in the HTML: `<button data-filter="all">All</button> <button data-filter="active">Active</button>
         <button data-filter="done">Done</button>`. Because `forEach` still passes the real index `i`,
         deleting an item while filtered removes the right one.
         """),
    ),
    S(
        ["Why does 0.1 + 0.2 === 0.3 return false in JavaScript?",
         "js says 0.1+0.2 is 0.30000000000000004, is this a bug"],
        r"""
        It is not a JavaScript bug; it is how binary floating-point numbers (IEEE 754 doubles) work, and
        Python, Java, C and most other languages behave the same way.

        Numbers are stored in base 2. Just as 1/3 cannot be written exactly in decimal (0.3333...), 0.1
        and 0.2 cannot be written exactly in binary. Each is stored as the closest representable value,
        and the tiny rounding errors add up: the result is 0.30000000000000004.

        How to deal with it:

        - **Compare with a tolerance**:
          ```javascript
          Math.abs(0.1 + 0.2 - 0.3) < Number.EPSILON   // true
          ```
        - **Round for display**: `(0.1 + 0.2).toFixed(2)` gives `"0.30"`.
        - **Use integers for money**: store cents (`1999` instead of `19.99`) and only format at the end.
        - **Use a decimal library** (for example decimal.js or big.js) when exact decimal arithmetic
          matters, such as in accounting.
        """,
    ),
]

SQL = [
    S(
        ["How do I find duplicate emails in a users table?",
         "sql query to find duplicate rows based on one column"],
        r"""
        Group by the column and keep the groups that have more than one row:

        ```sql
        SELECT email, COUNT(*) AS occurrences
        FROM users
        GROUP BY email
        HAVING COUNT(*) > 1
        ORDER BY occurrences DESC;
        ```

        `WHERE` filters rows before grouping, while `HAVING` filters the groups afterwards, which is why
        the count condition goes in `HAVING`.

        Emails are often duplicated with different capitalisation or stray spaces ("Ann@x.com" and
        "ann@x.com "). To catch those too, group by a normalised value:

        ```sql
        SELECT LOWER(TRIM(email)) AS normalized_email, COUNT(*) AS occurrences
        FROM users
        GROUP BY LOWER(TRIM(email))
        HAVING COUNT(*) > 1;
        ```
        """,
        ("Now how do I delete the duplicates but keep the oldest row for each email?",
         r"""
         Use a window function to number the rows within each email, oldest first, and delete everything
         that isn't number 1. In PostgreSQL:

         ```sql
         WITH ranked AS (
             SELECT id,
                    ROW_NUMBER() OVER (PARTITION BY LOWER(TRIM(email)) ORDER BY created_at, id) AS rn
             FROM users
         )
         DELETE FROM users
         WHERE id IN (SELECT id FROM ranked WHERE rn > 1);
         ```

         Run the `SELECT` part on its own first to check which rows would go, and do it inside a
         transaction (`BEGIN; ... ; COMMIT;`) so you can `ROLLBACK` if something looks wrong. Afterwards,
         add a unique index so it cannot happen again:

         ```sql
         CREATE UNIQUE INDEX users_email_unique ON users (LOWER(TRIM(email)));
         ```
         """),
    ),
    S(
        ["Can you explain the different types of SQL joins?",
         "inner join vs left join vs full outer join, with examples please"],
        r"""
        Suppose we have two tables:

        `customers`: (1, Ana), (2, Ben), (3, Chen)
        `orders`: (order 10, customer 1), (order 11, customer 1), (order 12, customer 4)

        **INNER JOIN**: only rows that match on both sides.

        ```sql
        SELECT c.name, o.id AS order_id
        FROM customers c
        JOIN orders o ON o.customer_id = c.id;
        -- Ana 10, Ana 11
        ```

        **LEFT JOIN**: every row from the left table, with matches from the right or NULLs.

        ```sql
        SELECT c.name, o.id AS order_id
        FROM customers c
        LEFT JOIN orders o ON o.customer_id = c.id;
        -- Ana 10, Ana 11, Ben NULL, Chen NULL
        ```

        **RIGHT JOIN**: the mirror image, every row from the right table (order 12 appears with a NULL
        name). Most people just swap the tables and use LEFT JOIN.

        **FULL OUTER JOIN**: everything from both sides, matched where possible (Ana 10, Ana 11, Ben NULL,
        Chen NULL, NULL 12).

        **CROSS JOIN**: every combination of rows (3 × 3 = 9 rows here); useful for generating grids,
        dangerous by accident.

        A common pattern: "customers who never ordered" is a LEFT JOIN plus `WHERE o.id IS NULL`.
        """,
        ("Why does my LEFT JOIN act like an INNER JOIN when I add a WHERE condition on the orders table?",
         r"""
         Because `WHERE` runs after the join. For customers without orders, every `o.` column is NULL, and
         a condition like `WHERE o.status = 'paid'` is not true for NULL, so those rows are thrown away,
         which is exactly what an inner join would do.

         Move the condition into the `ON` clause to filter the orders *before* matching:

         ```sql
         SELECT c.name, o.id
         FROM customers c
         LEFT JOIN orders o
           ON o.customer_id = c.id
          AND o.status = 'paid';
         ```

         Now every customer is kept, and only paid orders are attached. Rule of thumb: conditions about
         the right-hand table of a LEFT JOIN usually belong in `ON`.
         """),
    ),
    S(
        ["Write a SQL query for monthly revenue from an orders table (order_date, amount)",
         "how do I group sales by month in sql"],
        r"""
        Truncate each date to the month and sum per month. The function depends on your database:

        ```sql
        -- PostgreSQL
        SELECT DATE_TRUNC('month', order_date) AS month,
               SUM(amount)                     AS revenue,
               COUNT(*)                        AS orders
        FROM orders
        GROUP BY 1
        ORDER BY 1;

        -- MySQL
        SELECT DATE_FORMAT(order_date, '%Y-%m') AS month, SUM(amount) AS revenue
        FROM orders
        GROUP BY month
        ORDER BY month;

        -- SQLite
        SELECT strftime('%Y-%m', order_date) AS month, SUM(amount) AS revenue
        FROM orders
        GROUP BY month
        ORDER BY month;
        ```

        `GROUP BY 1` means "group by the first selected column". If you need months with no orders to
        show up as 0, join against a generated list of months (in PostgreSQL, `generate_series`) instead of
        relying on the orders table alone.
        """,
        ("Can you add the growth compared to the previous month?",
         r"""
         Use the `LAG` window function to look at the previous row:

         ```sql
         WITH monthly AS (
             SELECT DATE_TRUNC('month', order_date) AS month, SUM(amount) AS revenue
             FROM orders
             GROUP BY 1
         )
         SELECT month,
                revenue,
                LAG(revenue) OVER (ORDER BY month) AS prev_revenue,
                ROUND(100.0 * (revenue - LAG(revenue) OVER (ORDER BY month))
                      / NULLIF(LAG(revenue) OVER (ORDER BY month), 0), 1) AS growth_pct
         FROM monthly
         ORDER BY month;
         ```

         The first month has no previous value, so its growth is NULL. `NULLIF(..., 0)` avoids a
         division-by-zero error when a month had no revenue.
         """),
        ("And a running total for the year?",
         r"""
         Add a cumulative `SUM` window, partitioned by year so it restarts every January:

         ```sql
         SELECT month,
                revenue,
                SUM(revenue) OVER (PARTITION BY DATE_TRUNC('year', month) ORDER BY month) AS ytd_revenue
         FROM monthly
         ORDER BY month;
         ```

         With an `ORDER BY` inside `OVER`, the default window frame runs from the first row of the
         partition to the current row, which is exactly a running total.
         """),
    ),
    S(
        ["What is a database index and when should I add one?",
         "my query on a big table is slow, would an index help?"],
        r"""
        An index is a separate data structure (usually a B-tree) that keeps the values of one or more
        columns sorted, with pointers back to the rows. It works like the index at the back of a book:
        instead of reading every page, the database jumps straight to the matching entries.

        Without an index, `SELECT * FROM orders WHERE customer_id = 42` has to scan every row. With

        ```sql
        CREATE INDEX idx_orders_customer ON orders (customer_id);
        ```

        it can find the matching rows in a few page reads, even with millions of rows.

        Good candidates for an index:

        - Columns used in `WHERE`, `JOIN ... ON`, and `ORDER BY` of frequent queries.
        - Foreign keys (many databases do not index them automatically).
        - Columns with many distinct values. An index on a yes/no column rarely helps.

        The costs: indexes take disk space, and every `INSERT`, `UPDATE` and `DELETE` must update them
        too, so don't index everything. To see whether a query uses an index, run it with `EXPLAIN`
        (or `EXPLAIN ANALYZE` in PostgreSQL) and look for "Index Scan" versus "Seq Scan".
        """,
        ("Does the order of columns matter in a multi-column index?",
         r"""
         Yes, a lot. An index on `(customer_id, order_date)` is sorted by customer first, then by date
         within each customer. That makes it useful for:

         - `WHERE customer_id = 42`
         - `WHERE customer_id = 42 AND order_date >= '2024-01-01'`
         - `WHERE customer_id = 42 ORDER BY order_date DESC`

         but not for `WHERE order_date >= '2024-01-01'` alone, just as a phone book sorted by surname then
         first name doesn't help you find everyone called "Maria". Put the columns you filter with
         equality first and range or sort columns last.
         """),
    ),
    S(
        ["How do I get the top 3 highest paid employees in each department?",
         "sql top n per group"],
        r"""
        This "top N per group" problem is best solved with a window function:

        ```sql
        SELECT department, name, salary
        FROM (
            SELECT department,
                   name,
                   salary,
                   DENSE_RANK() OVER (PARTITION BY department ORDER BY salary DESC) AS rnk
            FROM employees
        ) ranked
        WHERE rnk <= 3
        ORDER BY department, salary DESC;
        ```

        `PARTITION BY department` restarts the ranking for each department. The choice of ranking
        function decides what happens with ties:

        - `ROW_NUMBER()` always gives exactly 3 rows per department, breaking ties arbitrarily.
        - `RANK()` gives tied people the same rank and skips numbers (1, 2, 2, 4).
        - `DENSE_RANK()` gives ties the same rank without gaps (1, 2, 2, 3), so you may get more than 3
          rows when salaries are equal.

        You cannot use a window function directly in `WHERE`, which is why it is computed in a subquery
        (or a CTE) first.
        """,
    ),
]

RUST = [
    S(
        ["Why does Rust say \"borrow of moved value\" here?\n\n```rust\nfn main() {\n    let name = "
         "String::from(\"Ferris\");\n    let greeting = name;\n    println!(\"{} says hi\", name);\n}\n```",
         "rust error: borrow of moved value: `name`. what does it mean"],
        r"""
        In Rust every value has exactly one owner. `String` owns heap memory, so `let greeting = name;`
        **moves** ownership from `name` to `greeting`. After the move, `name` is no longer valid, and the
        compiler refuses to let you use it. This is how Rust avoids two variables freeing the same memory.

        You have a few options depending on what you want:

        ```rust
        fn main() {
            let name = String::from("Ferris");

            // 1. Borrow instead of moving: greeting is a reference, name stays the owner.
            let greeting = &name;
            println!("{} says hi, {}", name, greeting);

            // 2. Make an explicit copy of the data if you really need two owned Strings.
            let copy = name.clone();
            println!("{} and {}", name, copy);
        }
        ```

        Types that are cheap to copy, like integers, `bool`, `char` and `&str`, implement the `Copy`
        trait, so assigning them copies instead of moving. That is why `let a = 5; let b = a;` keeps `a`
        usable while the `String` version doesn't.
        """,
        ("So when I pass a String to a function, is it moved too?",
         r"""
         Yes. Passing by value moves it into the function, and it is dropped when the function ends:

         ```rust
         fn shout(s: String) -> String {
             s.to_uppercase()
         }

         fn print_len(s: &str) {
             println!("{} has {} bytes", s, s.len());
         }

         fn main() {
             let word = String::from("hello");
             print_len(&word);          // borrowed: word is still usable afterwards
             let loud = shout(word);    // moved: word cannot be used after this line
             println!("{}", loud);
         }
         ```

         For functions that only read text, take `&str`: it accepts both `&String` and string literals.
         Take `String` by value only when the function needs to keep or consume the data.
         """),
    ),
    S(
        ["How do I read a file line by line in Rust and count the lines that contain a word?",
         "rust: grep-like program that counts matching lines"],
        r"""
        Use `BufReader` so the file is read in chunks, and propagate errors with `?`:

        ```rust
        use std::env;
        use std::fs::File;
        use std::io::{self, BufRead, BufReader};

        fn count_matches(path: &str, needle: &str) -> io::Result<usize> {
            let file = File::open(path)?;
            let reader = BufReader::new(file);
            let mut count = 0;
            for line in reader.lines() {
                let line = line?;
                if line.contains(needle) {
                    count += 1;
                }
            }
            Ok(count)
        }

        fn main() {
            let args: Vec<String> = env::args().collect();
            if args.len() != 3 {
                eprintln!("usage: {} <file> <word>", args[0]);
                std::process::exit(2);
            }
            match count_matches(&args[1], &args[2]) {
                Ok(n) => println!("{n} matching lines"),
                Err(e) => {
                    eprintln!("error reading {}: {e}", args[1]);
                    std::process::exit(1);
                }
            }
        }
        ```

        `reader.lines()` yields `io::Result<String>` because reading any line can fail (for example on
        invalid UTF-8), so each one is unwrapped with `?`. The function returns `io::Result<usize>`, and
        `main` decides how to report the error.
        """,
        ("can you make it case insensitive and print the line numbers like grep -n?",
         r"""
         Lower-case both sides once, and use `enumerate` to get line numbers (starting at 1):

         ```rust
         fn print_matches(path: &str, needle: &str) -> io::Result<usize> {
             let needle = needle.to_lowercase();
             let reader = BufReader::new(File::open(path)?);
             let mut count = 0;
             for (i, line) in reader.lines().enumerate() {
                 let line = line?;
                 if line.to_lowercase().contains(&needle) {
                     println!("{}:{}", i + 1, line);
                     count += 1;
                 }
             }
             Ok(count)
         }
         ```

         `to_lowercase` allocates a new String per line, which is fine for normal files. For very large
         inputs or many patterns, the `regex` crate with the `(?i)` flag is faster.
         """),
    ),
    S(
        ["Explain traits in Rust with a simple example",
         "what are traits in rust, are they like interfaces?"],
        r"""
        Yes, traits are close to interfaces in other languages: a trait declares behaviour that types can
        implement, and functions can accept "any type that implements this trait".

        ```rust
        trait Shape {
            fn area(&self) -> f64;
            fn name(&self) -> String {
                String::from("shape")      // default method, can be overridden
            }
        }

        struct Circle { radius: f64 }
        struct Rect { w: f64, h: f64 }

        impl Shape for Circle {
            fn area(&self) -> f64 { std::f64::consts::PI * self.radius * self.radius }
            fn name(&self) -> String { String::from("circle") }
        }

        impl Shape for Rect {
            fn area(&self) -> f64 { self.w * self.h }
        }

        fn describe(s: &impl Shape) {
            println!("{} with area {:.2}", s.name(), s.area());
        }

        fn main() {
            describe(&Circle { radius: 1.5 });   // circle with area 7.07
            describe(&Rect { w: 2.0, h: 3.0 });  // shape with area 6.00

            let shapes: Vec<Box<dyn Shape>> =
                vec![Box::new(Circle { radius: 1.0 }), Box::new(Rect { w: 1.0, h: 4.0 })];
            let total: f64 = shapes.iter().map(|s| s.area()).sum();
            println!("total area {total:.2}");
        }
        ```

        Two ways to use a trait:

        - `&impl Shape` (or a generic `<T: Shape>`) is resolved at compile time; the compiler generates a
          specialised copy for each type. Fast, but one call site works with one concrete type.
        - `Box<dyn Shape>` is a *trait object*, resolved at run time through a vtable. It lets you keep
          different shapes in the same `Vec`.

        Unlike many interface systems, you can implement your own traits for types you didn't write,
        including `i32` or `String`.
        """,
    ),
    S(
        ["When should I use Option vs Result in Rust? And what does the ? operator do?",
         "rust Option Result unwrap ? operator explained"],
        r"""
        - `Option<T>` means "there may be no value": `Some(value)` or `None`. Use it when absence is
          normal and needs no explanation, such as looking up a key in a map or the first element of an
          empty list.
        - `Result<T, E>` means "this can fail, and here is why": `Ok(value)` or `Err(error)`. Use it for
          operations like parsing or I/O where the caller should know what went wrong.

        ```rust
        use std::collections::HashMap;
        use std::num::ParseIntError;

        fn find_age(ages: &HashMap<&str, u32>, name: &str) -> Option<u32> {
            ages.get(name).copied()
        }

        fn parse_and_double(s: &str) -> Result<i64, ParseIntError> {
            let n: i64 = s.trim().parse()?;   // on Err, return it from this function immediately
            Ok(n * 2)
        }

        fn main() {
            let mut ages = HashMap::new();
            ages.insert("ana", 34);
            match find_age(&ages, "bo") {
                Some(age) => println!("bo is {age}"),
                None => println!("no age for bo"),
            }
            println!("{:?}", parse_and_double("21"));   // Ok(42)
            println!("{:?}", parse_and_double("x"));    // Err(ParseIntError { kind: InvalidDigit })
        }
        ```

        The `?` operator is shorthand for "if this is `Err` (or `None`), return it from the current
        function; otherwise unwrap the value". It only works inside functions that return a compatible
        `Result` or `Option`.

        `unwrap()` and `expect("message")` also extract the value but panic on failure. They are fine in
        quick scripts and tests, and for cases that really cannot fail, but in library code prefer `?` or
        `match`.
        """,
        ("How do I convert between them?",
         r"""
         There are helper methods for both directions:

         ```rust
         let maybe: Option<u32> = Some(3);
         let res: Result<u32, &str> = maybe.ok_or("missing value");   // Option -> Result

         let res2: Result<u32, String> = Err("bad".into());
         let opt: Option<u32> = res2.ok();                              // Result -> Option (drops the error)

         let port: u16 = std::env::var("PORT").ok()
             .and_then(|v| v.parse().ok())
             .unwrap_or(8080);                                           // chain with a default
         ```

         `ok_or_else(|| ...)` is the lazy version of `ok_or`, useful when building the error is costly.
         """),
    ),
]

C_LANG = [
    S(
        ["How do I reverse a singly linked list in C?",
         "c code to reverse a linked list, iteratively please"],
        r"""
        Walk the list once and flip each `next` pointer, keeping track of the previous node:

        ```c
        #include <stdio.h>
        #include <stdlib.h>

        struct node {
            int value;
            struct node *next;
        };

        struct node *reverse(struct node *head) {
            struct node *prev = NULL;
            while (head != NULL) {
                struct node *next = head->next;  /* remember the rest of the list */
                head->next = prev;               /* flip the pointer */
                prev = head;                     /* advance prev */
                head = next;                     /* advance head */
            }
            return prev;                         /* prev is the new head */
        }

        struct node *push(struct node *head, int value) {
            struct node *n = malloc(sizeof *n);
            if (n == NULL) { perror("malloc"); exit(1); }
            n->value = value;
            n->next = head;
            return n;
        }

        int main(void) {
            struct node *list = NULL;
            for (int i = 1; i <= 5; i++) list = push(list, i);   /* 5 4 3 2 1 */
            list = reverse(list);                                 /* 1 2 3 4 5 */
            for (struct node *p = list; p; p = p->next) printf("%d ", p->value);
            printf("\n");
            while (list) { struct node *next = list->next; free(list); list = next; }
            return 0;
        }
        ```

        The loop runs in O(n) time with O(1) extra memory. The key is saving `head->next` before
        overwriting it; otherwise you lose the rest of the list.
        """,
        ("What would the recursive version look like?",
         r"""
         ```c
         struct node *reverse_rec(struct node *head) {
             if (head == NULL || head->next == NULL)
                 return head;                      /* empty list or last node: new head */
             struct node *new_head = reverse_rec(head->next);
             head->next->next = head;              /* the node after us now points back to us */
             head->next = NULL;
             return new_head;
         }
         ```

         It is elegant, but each node adds a stack frame, so a list with a few million nodes can overflow
         the stack. In C I would use the iterative version for anything that might be long.
         """),
    ),
    S(
        ["Why does this C program crash with a segmentation fault?\n\n```c\nchar *name;\nstrcpy(name, "
         "\"hello\");\nprintf(\"%s\\n\", name);\n```",
         "segfault when copying a string in c, what am I doing wrong"],
        r"""
        `name` is a pointer, but it doesn't point to any memory you own. It contains whatever garbage was
        on the stack, so `strcpy` writes "hello" to a random address and the operating system kills the
        program with a segmentation fault.

        You need to give the pointer some memory first. Either use an array:

        ```c
        char name[32];
        strcpy(name, "hello");
        printf("%s\n", name);
        ```

        or allocate on the heap (and free it later):

        ```c
        #include <stdlib.h>
        #include <string.h>

        char *name = malloc(strlen("hello") + 1);   /* +1 for the terminating '\0' */
        if (name == NULL) return 1;
        strcpy(name, "hello");
        printf("%s\n", name);
        free(name);
        ```

        Two habits that help: compile with warnings (`gcc -Wall -Wextra` would warn that `name` is used
        uninitialised), and run with AddressSanitizer (`gcc -fsanitize=address -g`), which reports the
        exact line of invalid memory accesses.
        """,
        ("Is strncpy safer than strcpy?",
         r"""
         Only partly. `strncpy(dst, src, n)` never writes more than `n` bytes, but if `src` is `n` bytes or
         longer it does **not** add the terminating `'\0'`, so you can end up with an unterminated string.
         You have to terminate it yourself:

         ```c
         char buf[16];
         strncpy(buf, src, sizeof buf - 1);
         buf[sizeof buf - 1] = '\0';
         ```

         A simpler safe option is `snprintf`, which always terminates and tells you if the text was cut:

         ```c
         int needed = snprintf(buf, sizeof buf, "%s", src);
         if (needed >= (int)sizeof buf) {
             fprintf(stderr, "warning: name truncated\n");
         }
         ```
         """),
    ),
    S(
        ["Explain pointers in C like I'm a beginner",
         "what is a pointer in c and why do we need & and *"],
        r"""
        Every variable lives somewhere in memory, and that location has an address, like a house number.
        A **pointer** is a variable whose value is such an address.

        - `&x` means "the address of x".
        - `*p` means "the value stored at the address in p" (following the pointer).

        ```c
        #include <stdio.h>

        void swap(int *a, int *b) {
            int tmp = *a;   /* value at address a */
            *a = *b;
            *b = tmp;
        }

        int main(void) {
            int x = 3, y = 7;
            int *p = &x;            /* p holds the address of x */
            printf("%d\n", *p);     /* 3 */
            *p = 10;                /* changes x through the pointer */
            printf("%d\n", x);      /* 10 */

            swap(&x, &y);
            printf("x=%d y=%d\n", x, y);   /* x=7 y=10 */
            return 0;
        }
        ```

        Why we need them:

        1. **Changing a caller's variables**: C passes arguments by value, so `swap(int a, int b)` would
           only swap copies. Passing addresses lets the function modify the originals.
        2. **Dynamic memory**: `malloc` returns a pointer to memory you asked for at run time.
        3. **Arrays and strings**: an array name used in an expression becomes a pointer to its first
           element, and `p[i]` is the same as `*(p + i)`.
        4. **Data structures**: linked lists and trees are nodes connected by pointers.
        """,
    ),
    S(
        ["How can I check if the nth bit of an integer is set in C? And set/clear it?",
         "bit manipulation in c: set, clear, toggle, test a bit"],
        r"""
        Build a mask with a single 1 at position `n` using a shift, then combine it with bitwise
        operators:

        ```c
        #include <stdio.h>
        #include <stdint.h>

        #define BIT(n) (UINT32_C(1) << (n))

        int main(void) {
            uint32_t flags = 0;

            flags |= BIT(3);          /* set bit 3      -> 0b1000 */
            flags |= BIT(0);          /* set bit 0      -> 0b1001 */
            flags &= ~BIT(3);         /* clear bit 3    -> 0b0001 */
            flags ^= BIT(5);          /* toggle bit 5   -> 0b100001 */

            int is_set = (flags & BIT(5)) != 0;   /* test bit 5 -> 1 */
            printf("flags=0x%08X bit5=%d\n", (unsigned)flags, is_set);
            return 0;
        }
        ```

        - `|` with the mask sets the bit, `& ~mask` clears it, `^` toggles it, and `&` tests it.
        - Use unsigned types: shifting a 1 into the sign bit of a signed `int` is undefined behaviour.
        - Counting the set bits is a common follow-up; GCC and Clang have `__builtin_popcount(x)`, and
          C23 adds `stdc_count_ones`.
        """,
    ),
]

BASH = [
    S(
        ["How do I find the 10 largest files in a directory and its subdirectories on Linux?",
         "bash command to list biggest files recursively"],
        r"""
        A reliable one-liner with GNU `find`:

        ```bash
        find /path/to/dir -type f -printf '%s\t%p\n' 2>/dev/null | sort -nr | head -n 10 \
          | awk -F'\t' '{ printf "%8.1f MB  %s\n", $1/1048576, $2 }'
        ```

        What each part does:

        - `find -type f -printf '%s\t%p\n'` prints the size in bytes and the path of every file.
        - `2>/dev/null` hides "Permission denied" messages.
        - `sort -nr` sorts numerically, largest first; `head -n 10` keeps the top ten.
        - `awk` turns bytes into megabytes for readability.

        If you want directories rather than single files, `du` is the tool:

        ```bash
        du -h --max-depth=1 /path/to/dir 2>/dev/null | sort -hr | head -n 10
        ```

        On macOS, `find` has no `-printf`; use `find . -type f -exec du -k {} + | sort -nr | head` or
        install GNU findutils.
        """,
        ("How would I delete log files older than 30 days in that folder?",
         r"""
         `find` can match on modification time and delete in one go. **Always run it without `-delete`
         first** to see what would be removed:

         ```bash
         # preview
         find /var/log/myapp -type f -name '*.log' -mtime +30 -print

         # delete
         find /var/log/myapp -type f -name '*.log' -mtime +30 -delete
         ```

         `-mtime +30` means "modified more than 30 days ago". Quote the `'*.log'` pattern so the shell
         doesn't expand it before `find` sees it. To run this every night, put it in a cron job, or, for
         logs, consider `logrotate`, which also compresses old files.
         """),
    ),
    S(
        ["How do I rename all .jpeg files in a folder to .jpg with bash?",
         "bulk rename file extensions in linux"],
        r"""
        A `for` loop with parameter expansion does it without extra tools:

        ```bash
        for f in *.jpeg; do
          [ -e "$f" ] || continue          # skip if no .jpeg files matched
          mv -n -- "$f" "${f%.jpeg}.jpg"
        done
        ```

        - `${f%.jpeg}` removes the `.jpeg` suffix from the file name.
        - The quotes around `"$f"` keep names with spaces intact.
        - `mv -n` refuses to overwrite an existing file; `--` protects against names starting with `-`.

        To include subfolders, combine it with `find`:

        ```bash
        find . -type f -name '*.jpeg' -exec sh -c 'mv -n -- "$1" "${1%.jpeg}.jpg"' _ {} \;
        ```

        Many distributions also ship a `rename` utility (`rename 's/\.jpeg$/.jpg/' *.jpeg`), but its
        syntax differs between versions, so the loop is more portable.
        """,
        ("What if I want to add a date prefix like 2024-05-01_ to each file instead?",
         r"""
         Use `date` to build the prefix once, or per file from its modification time:

         ```bash
         today=$(date +%F)                 # e.g. 2024-05-01
         for f in *.jpg; do
           [ -e "$f" ] || continue
           mv -n -- "$f" "${today}_$f"
         done

         # using each file's own modification date (GNU date):
         for f in *.jpg; do
           [ -e "$f" ] || continue
           d=$(date -r "$f" +%F)
           mv -n -- "$f" "${d}_$f"
         done
         ```

         Run it once with `echo mv ...` instead of `mv ...` to preview the renames safely.
         """),
    ),
    S(
        ["Write a bash script that backs up a folder to a tar.gz with the date in the filename and keeps "
         "only "
         "the last 7 backups",
         "simple backup script bash with rotation"],
        r"""
        ```bash
        #!/usr/bin/env bash
        set -euo pipefail

        SOURCE="${1:-$HOME/documents}"
        DEST="${2:-$HOME/backups}"
        KEEP=7

        mkdir -p "$DEST"
        stamp=$(date +%Y-%m-%d_%H%M%S)
        archive="$DEST/backup_${stamp}.tar.gz"

        tar -czf "$archive" -C "$(dirname "$SOURCE")" "$(basename "$SOURCE")"
        echo "created $archive ($(du -h "$archive" | cut -f1))"

        # delete all but the newest $KEEP backups
        ls -1t "$DEST"/backup_*.tar.gz | tail -n +$((KEEP + 1)) | while read -r old; do
          echo "removing $old"
          rm -f -- "$old"
        done
        ```

        Notes:

        - `set -euo pipefail` stops the script on the first error, on unset variables, and on failures
          inside pipes, which is what you want for backups.
        - `-C "$(dirname ...)"` stores paths relative to the parent folder, so the archive contains
          `documents/...` rather than `/home/you/documents/...`.
        - `ls -1t` lists newest first; `tail -n +8` outputs everything from the 8th line, i.e. the old
          ones.

        Make it executable with `chmod +x backup.sh`, then run `./backup.sh ~/projects /mnt/usb/backups`.
        """,
        ("How do I run it automatically every night at 2am?",
         r"""
         Add a cron entry with `crontab -e` and put this line in it:

         ```
         0 2 * * * /home/you/bin/backup.sh /home/you/documents /mnt/usb/backups >> /home/you/backup.log 2>&1
         ```

         The five fields are minute, hour, day of month, month, and day of week, so `0 2 * * *` is "02:00
         every day". Use absolute paths: cron runs with a minimal environment and a short `PATH`. The
         `>> ... 2>&1` part appends both normal output and errors to a log, so you can check later that it
         worked. On systems with systemd, a timer unit is an alternative that also catches up on runs
         missed while the machine was off.
         """),
    ),
    S(
        ["How do I loop over the lines of a file in bash?",
         "bash read file line by line while loop"],
        r"""
        The safe idiom is a `while read` loop:

        ```bash
        while IFS= read -r line; do
          printf 'line: %s\n' "$line"
        done < input.txt
        ```

        Why it looks like this:

        - `IFS=` keeps leading and trailing spaces in each line.
        - `-r` stops `read` from treating backslashes as escape characters.
        - `< input.txt` at the end feeds the file into the loop. Don't use `cat file | while ...` if you
          set variables inside the loop: a pipe runs the loop in a subshell, and the variables disappear
          afterwards.

        If the last line has no trailing newline, `read` returns false on it and the loop skips it. This
        variant handles that too:

        ```bash
        while IFS= read -r line || [ -n "$line" ]; do
          printf 'line: %s\n' "$line"
        done < input.txt
        ```

        Avoid `for line in $(cat input.txt)`: it splits on every space, not on lines, and expands `*`
        into file names.
        """,
        ("And if the file is a CSV and I want the second column?",
         r"""
         Set `IFS` to a comma and let `read` split the fields:

         ```bash
         while IFS=, read -r id name email; do
           echo "$name"
         done < users.csv
         ```

         The last variable receives the rest of the line. To skip a header line, use
         `tail -n +2 users.csv | while ...` or read the header once before the loop. For a one-off you can
         use `cut -d, -f2 users.csv` or `awk -F, '{print $2}' users.csv`. None of these understand quoted
         fields containing commas (`"Smith, Jr."`); for real-world CSV files use a proper parser, such as
         Python's csv module or `mlr` (Miller).
         """),
    ),
    S(
        ["How can I search for a string in all files of a project, ignoring node_modules?",
         "grep recursively but exclude a directory"],
        r"""
        With GNU grep:

        ```bash
        grep -rn --exclude-dir=node_modules --exclude-dir=.git "fetchUser" .
        ```

        - `-r` searches recursively, `-n` prints line numbers.
        - `--exclude-dir` can be given several times.
        - Add `-i` for a case-insensitive search, `-w` to match whole words only, or `--include='*.js'` to
          search only some file types.

        If you do this often, try `ripgrep` (`rg`): it is much faster, respects `.gitignore`
        automatically (so `node_modules` is usually skipped without asking), and has friendlier output:

        ```bash
        rg -n "fetchUser"
        rg -n -t js "fetchUser"      # only JavaScript files
        ```
        """,
    ),
]


# ---------------------------------------------------------------------------------------------------------
# Parameterised word problems: the numbers are drawn by the seeded generator and the worked answers are
# computed, so every conversation gets its own correct arithmetic.
# ---------------------------------------------------------------------------------------------------------


def num(x: float, places: int = 2) -> str:
    """A number as a person would write it: no trailing zeros, thousands separators."""
    if abs(x - round(x)) < 1e-9:
        return f"{round(x):,}"
    return f"{x:,.{places}f}".rstrip("0").rstrip(".")


def hours_minutes(h: float) -> str:
    whole = int(h)
    minutes = round((h - whole) * 60)
    if minutes == 60:
        whole, minutes = whole + 1, 0
    parts = []
    if whole:
        parts.append(f"{whole} hour{'s' if whole != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " and ".join(parts) or "0 minutes"


def m_speed(rng: random.Random) -> dict:
    t = rng.choice([2, 3, 4, 5, 6])
    v = rng.choice([45, 60, 70, 75, 80, 90, 96, 110, 120])
    d = v * t
    t2 = rng.choice([1.5, 2.5, 3.5, 7, 8])
    vehicle = rng.choice(["train", "bus", "car", "truck", "coach"])
    far = rng.choice([500, 640, 750, 1000])
    return S(
        [f"A {vehicle} travels {d} km in {t} hours. What is its average speed, and how far would it go in "
         f"{num(t2)} hours at the same speed?",
         f"If a {vehicle} covers {d} km in {t} h, what's the average speed? and the distance after "
         f"{num(t2)} h?"],
        f"""
        **Average speed** = distance ÷ time = {d} km ÷ {t} h = **{v} km/h**.

        **Distance in {num(t2)} hours** at the same speed = speed × time = {v} km/h × {num(t2)} h =
        **{num(v * t2)} km**.

        (This assumes the {vehicle} keeps the same average speed, including any stops, for the whole
        trip.)
        """,
        (f"How long would it take to travel {far} km then?",
         f"""
         Time = distance ÷ speed = {far} km ÷ {v} km/h = {num(far / v, 3)} h, which is about
         **{hours_minutes(far / v)}**.
         """),
        ("and what is that speed in metres per second?",
         f"""
         Divide km/h by 3.6 (because 1 km = 1000 m and 1 h = 3600 s):

         {v} km/h ÷ 3.6 ≈ **{num(v / 3.6, 1)} m/s**.
         """),
    )


def m_discount(rng: random.Random) -> dict:
    p = rng.choice([40, 60, 75, 80, 120, 150, 199, 250, 89.99, 349])
    tax = rng.choice([5, 7, 8, 10, 6.5])
    d = rng.choice([v for v in (10, 15, 20, 25, 30, 40) if v - tax >= 5])
    item = rng.choice(["jacket", "pair of headphones", "coffee machine", "backpack", "lamp", "pair of boots"])
    sale = p * (1 - d / 100)
    final = sale * (1 + tax / 100)
    combined = (1 - d / 100) * (1 + tax / 100)
    return S(
        [f"A {item} costs ${num(p)}. It's on sale for {d}% off, and then {num(tax)}% sales tax is added. "
         "What's the final price?",
         f"{item} normally ${num(p)}, {d}% discount, plus {num(tax)}% tax. how much do i pay?"],
        f"""
        Step 1: apply the discount.
        {d}% of ${num(p)} = ${p * d / 100:,.2f}, so the sale price is ${p:,.2f} − ${p * d / 100:,.2f} =
        **${sale:,.2f}**.

        Step 2: add the tax on the sale price.
        {num(tax)}% of ${sale:,.2f} = ${sale * tax / 100:,.2f}, so the total is **${final:,.2f}**.

        Shortcut: multiply once by (1 − {d / 100:g}) × (1 + {tax / 100:g}) = {combined:.4f}, giving
        ${num(p)} × {combined:.4f} ≈ ${final:,.2f}.
        """,
        (f"Isn't that the same as just taking {num(d - tax)}% off?",
         f"""
         Not quite. The two percentages apply to different amounts: the discount is taken from the
         original price, but the tax is calculated on the already reduced price. The combined factor is
         {combined:.4f}, which is a {num(abs(1 - combined) * 100, 2)}%
         {"decrease" if combined < 1 else "increase"} overall, not {num(d - tax)}%. Taking {num(d - tax)}%
         off would give ${p * (1 - (d - tax) / 100):,.2f} instead of ${final:,.2f}.
         """),
        ("Does it matter if the tax is added before the discount?",
         f"""
         For the final price, no: multiplication is commutative, so ${num(p)} × {1 + tax / 100:g} ×
         {1 - d / 100:g} gives the same ${final:,.2f}. What changes is how the amounts are labelled on the
         receipt, and in some places the law says which base the tax must be calculated on.
         """),
    )


def m_interest(rng: random.Random) -> dict:
    p = rng.choice([1000, 2500, 5000, 10000, 20000])
    r = rng.choice([3, 4, 5, 6, 7, 8])
    n = rng.choice([5, 10, 15, 20, 25])
    a = p * (1 + r / 100) ** n
    monthly = p * (1 + r / 1200) ** (12 * n)
    return S(
        [f"If I invest ${p:,} at {r}% annual interest compounded yearly, how much will I have after {n} "
         "years?",
         f"compound interest question: ${p:,}, {r}% per year, {n} years. final amount?"],
        f"""
        Use the compound interest formula:

        A = P × (1 + r)^n

        where P = ${p:,}, r = {r}% = {r / 100:g}, and n = {n} years.

        A = {p:,} × (1.{r:02d})^{n} = {p:,} × {(1 + r / 100) ** n:.4f} ≈ **${a:,.2f}**.

        So your money grows by about ${a - p:,.2f}, of which ${p * r / 100 * n:,.2f} would have come from
        simple interest and the remaining ${a - p - p * r / 100 * n:,.2f} from earning interest on
        interest. (This ignores taxes, fees and inflation.)
        """,
        ("What if it's compounded monthly instead?",
         f"""
         Then the rate per period is {r}% ÷ 12 and there are 12 × {n} = {12 * n} periods:

         A = {p:,} × (1 + {r / 100:g}/12)^{12 * n} ≈ **${monthly:,.2f}**,

         which is ${monthly - a:,.2f} more than yearly compounding. More frequent compounding always helps
         a little, but the difference is small compared with the effect of the rate and the time.
         """),
        ("Is there a quick way to estimate how long it takes to double?",
         f"""
         Yes, the **rule of 72**: divide 72 by the interest rate in percent. At {r}% that is 72 ÷ {r} ≈
         {num(72 / r, 1)} years. The exact answer is ln 2 ÷ ln(1.{r:02d}) ≈
         {math.log(2) / math.log(1 + r / 100):.1f} years, so the rule is very
         close for rates between about 4% and 12%.
         """),
    )


def m_work(rng: random.Random) -> dict:
    a, b = rng.choice([(3, 6), (4, 12), (6, 12), (2, 3), (5, 20), (10, 15), (12, 24), (4, 6), (6, 9)])
    together = a * b / (a + b)
    who = rng.choice([
        ("Pipe A can fill a tank in {a} hours and pipe B can fill it in {b} hours. How long will it take to "
         "fill the tank if both pipes are open?", "pipe A", "pipe B", "tank"),
        ("Maria can paint a fence in {a} hours. Her brother needs {b} hours for the same fence. How long if "
         "they paint it together?", "Maria", "her brother", "fence"),
        ("One printer prints a batch of flyers in {a} hours, a slower one takes {b} hours. Working together, "
         "how long do they need?", "the fast printer", "the slow printer", "batch"),
    ])
    q = who[0].replace("{a}", str(a)).replace("{b}", str(b))
    return S(
        q,
        f"""
        Think in terms of "how much of the job is done per hour":

        - {who[1][0].upper() + who[1][1:]} does 1/{a} of the {who[3]} per hour.
        - {who[2][0].upper() + who[2][1:]} does 1/{b} of the {who[3]} per hour.
        - Together: 1/{a} + 1/{b} = {b}/{a * b} + {a}/{a * b} = {a + b}/{a * b} of the {who[3]} per hour.

        The time for one whole {who[3]} is the reciprocal: {a * b}/{a + b} = **{num(together)} hours**
        {"" if together == int(together) else f"({hours_minutes(together)})"}.

        Sanity check: the answer must be less than the faster time ({min(a, b)} hours), and it is.
        """,
        ("Is there a formula for this?",
         f"""
         For two workers, the combined time is the product over the sum: T = (a × b) / (a + b). With
         a = {a} and b = {b}: ({a} × {b}) / ({a} + {b}) = {a * b}/{a + b} = {num(together)} hours. For more
         than two, add all the rates (1/a + 1/b + 1/c ...) and take the reciprocal.
         """),
    )


def m_average(rng: random.Random) -> dict:
    while True:
        k = rng.choice([3, 4])
        scores = [rng.randint(62, 96) for _ in range(k)]
        target = rng.choice([80, 82, 85, 86, 88, 90])
        need = target * (k + 1) - sum(scores)
        if 40 <= need <= 100:
            break
    listing = ", ".join(map(str, scores))
    return S(
        [f"I got {listing} on my first {k} tests. What do I need on the next test to have an average of "
         f"{target}?",
         f"my test scores so far are {listing}. what score on the next one gives me an average of {target}"],
        f"""
        An average of {target} over {k + 1} tests means the scores must add up to {target} × {k + 1} =
        {target * (k + 1)}.

        Your current total is {" + ".join(map(str, scores))} = {sum(scores)}.

        So you need {target * (k + 1)} − {sum(scores)} = **{need}** on the next test.
        {"That's a tough one, but doable with good preparation!" if need > 92 else "Good luck!"}
        """,
        (f"And if I only want an average of {target - 5}?",
         f"""
         Same method: {target - 5} × {k + 1} = {(target - 5) * (k + 1)}, minus your {sum(scores)} gives
         **{(target - 5) * (k + 1) - sum(scores)}**. Every point of average you give up lowers the score
         you need by {k + 1} points, because the average is spread over {k + 1} tests.
         """),
    )


def m_linear(rng: random.Random) -> dict:
    x = rng.choice([v for v in range(-9, 13) if v not in (0, 1)])
    a = rng.randint(2, 9)
    b = rng.choice([v for v in range(-20, 21) if v != 0])
    c = a * x + b
    sign = "+" if b > 0 else "−"
    op = "Subtract" if b > 0 else "Add"
    return S(
        [f"Solve for x: {a}x {sign} {abs(b)} = "
         f"{c}", f"how do I solve {a}x {sign} {abs(b)} = {c}? show steps"],
        f"""
        We want x on its own.

        1. {op} {abs(b)} on both sides: {a}x = {c} {"−" if b > 0 else "+"} {abs(b)} = {c - b}
        2. Divide both sides by {a}: x = {c - b} ÷ {a} = **{x}**

        Check: {a} × ({x}) {sign} {abs(b)} = {a * x} {sign} {abs(b)} = {c}. ✓
        """,
        (f"what about {a}x {sign} {abs(b)} > {c}?",
         f"""
         An inequality is solved the same way, with one extra rule: if you multiply or divide by a
         negative number, the inequality sign flips. Here we only divide by {a}, which is positive, so:

         {a}x > {c - b}  →  **x > {x}**

         Any x greater than {x} works, for example x = {x + 1}: {a * (x + 1)} {sign} {abs(b)} =
         {a * (x + 1) + b}, which is indeed greater than {c}.
         """),
    )


def m_quadratic(rng: random.Random) -> dict:
    r1, r2 = rng.sample([v for v in range(-7, 10) if v != 0], 2)
    s, p = r1 + r2, r1 * r2

    def term(coef: int, sym: str) -> str:
        if coef == 0:
            return ""
        mag = "" if abs(coef) == 1 and sym else str(abs(coef))
        return f" {'+' if coef > 0 else '−'} {mag}{sym}"

    eq = f"x²{term(-s, 'x')}{term(p, '')} = 0"
    disc = s * s - 4 * p

    def factor(r: int) -> str:
        return f"(x {'−' if r > 0 else '+'} {abs(r)})"

    return S(
        [f"Solve {eq}", f"can you solve the quadratic {eq} and explain"],
        f"""
        **By factoring.** We need two numbers that multiply to {p} and add up to {s}: those are {r1} and
        {r2}, since {r1} × {r2} = {p} and {r1} + {r2} = {s}. So

        {eq}  ⇔  {factor(r1)}{factor(r2)} = 0

        A product is zero when one of its factors is zero, so **x = {r1}** or **x = {r2}**.

        **Check with the quadratic formula** x = (−b ± √(b² − 4ac)) / 2a, with a = 1, b = {-s}, c = {p}:
        the discriminant is ({-s})² − 4 × 1 × {p} = {disc}, √{disc} = {int(disc ** 0.5)}, and
        x = ({s} ± {int(disc ** 0.5)}) / 2, which gives {max(r1, r2)} and {min(r1, r2)}. ✓
        """,
        ("What does the discriminant tell you in general?",
         """
         For ax² + bx + c = 0, the discriminant D = b² − 4ac tells you how many real solutions there are
         before you solve:

         - D > 0: two different real solutions (the parabola crosses the x-axis twice).
         - D = 0: one repeated solution (the parabola just touches the axis).
         - D < 0: no real solutions, only two complex ones (the parabola never reaches the axis).

         If D is a perfect square, as in this problem, the solutions are rational and the equation can
         be factored nicely.
         """),
    )


def m_dice(rng: random.Random) -> dict:
    k = rng.choice([4, 5, 6, 7, 8, 9, 10, 11])
    ways = [(i, k - i) for i in range(1, 7) if 1 <= k - i <= 6]
    fr = Fraction(len(ways), 36)
    atleast = [6 - abs(t - 7) for t in range(k, 13)]
    fr2 = Fraction(sum(atleast), 36)
    return S(
        [f"What's the probability of rolling a sum of {k} with two dice?",
         f"two fair dice, probability the total is {k}?"],
        f"""
        Two dice give 6 × 6 = 36 equally likely outcomes. The ones that add up to {k} are:

        {", ".join(f"({a}, {b})" for a, b in ways)}

        That is {len(ways)} outcomes, so the probability is {len(ways)}/36 = **{fr}** ≈ {float(fr):.1%}.
        {"7 is the most likely total of all, because it has the most combinations." if k == 7 else ""}
        """,
        (f"and the probability of getting at least {k}?",
         f"""
         Add up the outcomes for every total from {k} to 12. The number of ways to roll a total t is
         6 − |t − 7|, so the count is {" + ".join(map(str, atleast))} = {sum(atleast)}, and the
         probability is {sum(atleast)}/36 = **{fr2}** ≈ {float(fr2):.1%}.
         """),
    )


def m_rectangle(rng: random.Random) -> dict:
    length = rng.randint(8, 24)
    width = rng.randint(3, length - 2)
    per = 2 * (length + width)
    diag2 = length**2 + width**2
    what = rng.choice(["garden", "room", "playground", "parking lot", "swimming pool cover"])
    return S(
        [f"A rectangular {what} has a perimeter of {per} m and a length of {length} m. What are its width "
         "and "
         "area?",
         f"rectangle perimeter {per} m, length {length} m -> width? area?"],
        f"""
        The perimeter of a rectangle is P = 2 × (length + width).

        1. {per} = 2 × ({length} + w), so {length} + w = {per // 2}.
        2. w = {per // 2} − {length} = **{width} m**.
        3. Area = length × width = {length} × {width} = **{length * width} m²**.
        """,
        ("How long would the diagonal be?",
         f"""
         The diagonal is the hypotenuse of a right triangle with sides {length} m and {width} m, so by
         Pythagoras: d = √({length}² + {width}²) = √({length ** 2} + {width ** 2}) = √{diag2}
         ≈ **{(length ** 2 + width ** 2) ** 0.5:.2f} m**.
         """),
        (f"If fencing costs $12 per metre, how much to fence the whole {what}?",
         f"""
         The fence runs along the perimeter: {per} m × $12/m = **${per * 12:,}**. If you need a gate,
         subtract its width from the fence length and add the price of the gate.
         """),
    )


def p_fall(rng: random.Random) -> dict:
    h = rng.choice([5, 10, 20, 30, 45, 80, 125])
    thing = rng.choice(["a stone", "a ball", "an apple", "a set of keys", "a water balloon"])
    where = rng.choice(["a bridge", "a cliff", "a tower", "the roof of a building", "a balcony"])
    g = 9.8
    t = math.sqrt(2 * h / g)
    return S(
        [f"If I drop {thing} from {where} {h} m high, how long does it take to hit the ground and how fast "
         "is "
         "it going? Ignore air resistance.",
         f"free fall from {h} meters: time to fall and impact speed?"],
        f"""
        In free fall from rest, the distance fallen is h = ½ g t², with g ≈ 9.8 m/s².

        **Time:** t = √(2h / g) = √(2 × {h} / 9.8) = √{2 * h / g:.3f} ≈ **{t:.2f} s**.

        **Speed at impact:** v = g × t = 9.8 × {t:.2f} ≈ **{g * t:.1f} m/s** (about {g * t * 3.6:.0f} km/h).
        You can also get it without the time: v = √(2 g h) = √(2 × 9.8 × {h}) ≈ {g * t:.1f} m/s.

        Note that the mass doesn't appear anywhere: without air resistance, a heavy and a light object
        dropped together land together.
        """,
        ("How much does air resistance actually change this?",
         f"""
         It depends on the object's shape and density. For something compact and heavy like a stone,
         over {h} m the effect is small: maybe a few percent on the time. For a light object with a large
         surface, like a sheet of paper or a feather, air resistance dominates and it quickly reaches a
         low terminal velocity. A skydiver, for comparison, stops accelerating at roughly 55 m/s (about
         200 km/h) in a belly-down position.
         """),
    )


def p_ohm(rng: random.Random) -> dict:
    v = rng.choice([9, 12, 24, 120, 230])
    r = rng.choice([4, 6, 8, 10, 48, 100, 220])
    i = v / r
    return S(
        [f"A {r} Ω resistor is connected to a {v} V supply. What current flows and how much power does it "
         "dissipate?",
         f"ohm's law: {v}V across {r} ohms, find current and power"],
        f"""
        **Current** (Ohm's law): I = V / R = {v} V / {r} Ω = **{i:.3g} A**.

        **Power:** P = V × I = {v} V × {i:.3g} A ≈ **{v * i:.3g} W**. You can check it with the other
        forms of the power law: P = I²R = {i ** 2 * r:.3g} W and P = V²/R = {v * v / r:.3g} W.

        {"That is a lot of heat for a small resistor: a typical through-hole resistor is rated for 0.25 W, "
         "so you would need a power resistor here." if v * i > 1 else "A standard 0.25 W resistor "
         "handles that comfortably, though it is good practice to keep a safety margin of about 2×."}
        """,
        ("What happens if I put two of them in parallel?",
         f"""
         Two equal resistors in parallel have half the resistance: {r} Ω / 2 = {num(r / 2)} Ω. The total
         current doubles to {2 * i:.3g} A and the total power doubles to {2 * v * i:.3g} W, but each resistor
         still sees the full {v} V and dissipates the same {v * i:.3g} W as before. In series it would be
         the opposite: {2 * r} Ω in total, half the current ({i / 2:.3g} A), and a quarter of the power per
         resistor.
         """),
    )


def p_kinetic(rng: random.Random) -> dict:
    m, v, what = rng.choice([
        (0.145, 40, "a baseball"), (1200, 25, "a car"), (70, 10, "a sprinter"), (0.06, 50, "a tennis ball"),
        (1500, 30, "a van"), (80, 6, "a cyclist"),
    ])
    ke = 0.5 * m * v * v
    kj = f" (about {ke / 1000:.0f} kJ)" if ke > 5000 else ""
    return S(
        [f"What is the kinetic energy of {what} with a mass of {num(m, 3)} kg moving at {v} m/s?",
         f"kinetic energy: mass {num(m, 3)} kg, speed {v} m/s?"],
        f"""
        Kinetic energy is KE = ½ m v².

        KE = ½ × {num(m, 3)} kg × ({v} m/s)² = 0.5 × {num(m, 3)} × {v * v} = **{num(ke, 1)} J**{kj}.
        """,
        ("What if the speed doubles?",
         f"""
         Because speed is squared, doubling it multiplies the kinetic energy by 2² = 4: at {2 * v} m/s the
         kinetic energy is {num(4 * ke, 1)} J. This is why braking distances grow so quickly with speed:
         the brakes have to remove four times as much energy when you go twice as fast.
         """),
    )


def p_accel(rng: random.Random) -> dict:
    v_kmh = rng.choice([36, 54, 72, 90, 108])
    t = rng.choice([4, 5, 6, 8, 10])
    v = v_kmh / 3.6
    a = v / t
    dist = 0.5 * a * t * t
    return S(
        [f"A car accelerates uniformly from rest to {v_kmh} km/h in {t} seconds. What is its acceleration "
         "and "
         "how far does it travel in that time?",
         f"0 to {v_kmh} km/h in {t} s, what's the acceleration and distance covered?"],
        f"""
        First convert the speed to SI units: {v_kmh} km/h ÷ 3.6 = {num(v, 2)} m/s.

        **Acceleration:** a = Δv / t = {num(v, 2)} m/s ÷ {t} s = **{a:.2f} m/s²**
        (about {a / 9.8:.2f} g).

        **Distance:** for uniform acceleration from rest, d = ½ a t² = 0.5 × {a:.2f} × {t}²
        ≈ **{dist:.1f} m**.
        Equivalently, the average speed is half the final speed, {num(v / 2, 2)} m/s, times {t} s.
        """,
    )


def p_heat(rng: random.Random) -> dict:
    m = rng.choice([0.5, 1.0, 1.5, 1.7])
    t0 = rng.choice([10, 15, 20, 25])
    power = rng.choice([1500, 2000, 2200, 3000])
    q = m * 4186 * (100 - t0)
    return S(
        [f"How much energy does it take to heat {num(m)} litres of water from {t0} °C to boiling, and how "
         "long "
         f"would a {power} W kettle need?",
         f"energy to boil {num(m)} L of water starting at {t0}°C? kettle is {power} watts"],
        f"""
        Use Q = m c ΔT, with the specific heat of water c ≈ 4186 J/(kg·°C). One litre of water has a mass
        of about 1 kg, so m = {num(m)} kg and ΔT = 100 − {t0} = {100 - t0} °C.

        Q = {num(m)} × 4186 × {100 - t0} ≈ **{q:,.0f} J** (about {q / 1000:.0f} kJ, or {q / 3.6e6:.3f} kWh).

        Time for a {power} W kettle, if all the electrical energy went into the water:
        t = Q / P = {q:,.0f} / {power} ≈ **{q / power:.0f} s** ({hours_minutes(q / power / 3600)}).

        Real kettles lose some heat to the air and to the kettle itself, so it takes perhaps 10–20% longer.
        """,
        ("How much does that cost if electricity is 30 cents per kWh?",
         f"""
         {q / 3.6e6:.3f} kWh × $0.30 ≈ ${q / 3.6e6 * 0.3:.3f}, so roughly {q / 3.6e6 * 30:.1f} cents per boil,
         or a bit more with the losses included. Only heat as much water as you need: boiling a full kettle
         for one cup wastes most of that energy.
         """),
    )


def p_pendulum(rng: random.Random) -> dict:
    length = rng.choice([0.25, 0.5, 1.0, 2.0, 3.0])
    t = 2 * math.pi * math.sqrt(length / 9.81)
    return S(
        [f"What is the period of a simple pendulum {num(length)} m long?",
         f"pendulum length {num(length)} m, how long is one swing?"],
        f"""
        For small swings, the period of a simple pendulum is T = 2π √(L / g).

        T = 2π × √({num(length)} / 9.81) = 2π × {math.sqrt(length / 9.81):.4f} ≈ **{t:.2f} s**.

        That is the time for a full back-and-forth cycle; one swing in a single direction takes half of
        that, about {t / 2:.2f} s. The period doesn't depend on the mass of the bob or (for small angles)
        on how far you pull it back, which is why pendulums were used to keep time in clocks.
        """,
        ("How long would it need to be for a period of exactly 2 seconds?",
         """
         Rearrange the formula: L = g (T / 2π)² = 9.81 × (2 / 6.2832)² ≈ **0.994 m**. This is the famous
         "seconds pendulum": each one-way swing takes one second, and it is almost exactly one metre long.
         """),
    )


MATH = [m_speed, m_discount, m_interest, m_work, m_average, m_linear, m_quadratic, m_dice, m_rectangle]
PHYSICS = [p_fall, p_ohm, p_kinetic, p_accel, p_heat, p_pendulum]

SCIENCE = [
    S(
        ["Why is the sky blue?", "why is the sky blue but sunsets are red?",
         "Can you explain to a 10 year old why the sky is blue?"],
        """
        Sunlight looks white, but it is a mix of all colours, from red (long wavelengths) to violet (short
        wavelengths). When sunlight passes through the atmosphere, it bumps into nitrogen and oxygen
        molecules, which are much smaller than the wavelength of light. These molecules scatter short
        wavelengths far more strongly than long ones; this is called **Rayleigh scattering**, and its
        strength grows roughly with 1/wavelength⁴, so blue light is scattered about five times more than
        red.

        The result: blue light gets bounced around the whole sky and reaches your eyes from every
        direction, so the sky looks blue. Violet is scattered even more, but the Sun emits less of it,
        some is absorbed high in the atmosphere, and our eyes are less sensitive to it, so we see blue.

        At sunrise and sunset the light travels through much more air to reach you. Most of the blue is
        scattered away before it arrives, leaving the oranges and reds, which is why sunsets glow red.
        """,
        ("Then why are clouds white and not blue?",
         """
         Cloud droplets are much bigger than air molecules: around a hundredth of a millimetre, which is
         larger than the wavelength of visible light. Particles that size scatter all colours about
         equally (this is called Mie scattering), so the light coming from a cloud stays white. When a
         cloud is very thick, less light gets through it and its base looks grey.
         """),
        ("Would the sky be a different colour on Mars?",
         """
         Yes. Mars has a very thin atmosphere, but it is full of fine reddish dust. During the day, the dust
         makes the sky look butterscotch or pinkish-tan. At sunset it is the opposite of Earth: the area
         around the Sun looks blue, because the dust particles happen to scatter blue light forward, close
         to the direction the sunlight is travelling. NASA's rovers have photographed these blue Martian
         sunsets.
         """),
    ),
    S(
        ["How does photosynthesis work?", "explain photosynthesis simply",
         "What actually happens inside a leaf during photosynthesis?"],
        """
        Photosynthesis is how plants, algae and some bacteria turn light into chemical energy. The overall
        reaction is:

        6 CO₂ + 6 H₂O + light → C₆H₁₂O₆ (glucose) + 6 O₂

        It happens in the **chloroplasts**, mostly in leaf cells, in two stages:

        1. **Light-dependent reactions** (in the thylakoid membranes). Chlorophyll absorbs light,
           mostly red and blue, which is why leaves look green. The energy splits water molecules,
           releasing oxygen as a by-product, and is stored temporarily in two carrier molecules, ATP and
           NADPH.
        2. **The Calvin cycle** (in the stroma, the fluid around the thylakoids). Using ATP and NADPH, the
           enzyme RuBisCO fixes carbon dioxide from the air into sugars, step by step.

        The plant uses the glucose for energy and as a building block for cellulose, starch and other
        molecules. Almost all the oxygen we breathe and almost all the food we eat trace back to this
        process.
        """,
        ("You said the oxygen comes from water, not CO2? I always thought it came from CO2.",
         """
         It's a common assumption, but the oxygen released comes from the water. This was shown in the
         1940s with isotope experiments: when plants were given water labelled with the heavy isotope
         oxygen-18, the released O₂ contained the label; when the CO₂ was labelled instead, it did not.
         The oxygen atoms from CO₂ end up in the sugar and in new water molecules.
         """),
    ),
    S(
        ["How do vaccines work?", "how does a vaccine teach your immune system?",
         "what's the difference between mRNA vaccines and traditional vaccines"],
        """
        A vaccine trains your immune system to recognise a germ without you having to get sick first.

        When a real virus or bacterium infects you for the first time, your immune system needs several
        days to find the right tools: antibodies that stick to the germ and T cells that kill infected
        cells. Meanwhile, you get ill. Afterwards, **memory cells** remain, so a second encounter is
        fought off quickly.

        A vaccine shows the immune system a harmless "wanted poster" of the germ, so the memory is built
        in advance. There are several ways to make that poster:

        - **Inactivated or weakened** germs (e.g. polio, measles vaccines).
        - **Protein subunits**: just one piece of the germ, such as a surface protein (hepatitis B).
        - **Viral vectors**: a harmless virus carrying the instructions for one protein.
        - **mRNA**: instructions, wrapped in a fat bubble, that let your own cells make a protein of the
          germ for a short time. The mRNA is broken down within days and never enters the cell nucleus.

        Mild side effects like a sore arm or tiredness are signs that the immune system is responding.
        When enough people are immune, a germ struggles to spread, which also protects people who can't
        be vaccinated (herd immunity).
        """,
        ("Why do some vaccines need boosters and others last for life?",
         """
         It depends on both the germ and the vaccine:

         - **How much the germ changes.** Flu viruses mutate quickly, so last year's "wanted poster" no
           longer matches well and a new vaccine is made every year. Measles barely changes, so immunity
           lasts.
         - **How strong and lasting the memory is.** Live weakened vaccines usually produce stronger,
           longer memory than protein-only ones, which sometimes need several doses to "teach" properly.
         - **Antibody levels fade** over time even when memory cells remain; for diseases like tetanus,
           where the toxin acts quickly, a booster every ten years keeps protection high.
         """),
    ),
    S(
        ["What is a black hole?", "how do black holes form and what happens if you fall in one",
         "explain black holes and the event horizon"],
        """
        A black hole is a region of space where gravity is so strong that nothing, not even light, can
        escape. The boundary of that region is the **event horizon**: once you cross it, every possible
        path leads further inward.

        **How they form.** When a very massive star (roughly 20 times the mass of the Sun or more) runs
        out of fuel, its core can no longer hold itself up against its own gravity and collapses.
        If the remaining core is heavy enough, no known force can stop the collapse and a black hole
        forms. There are also **supermassive** black holes, millions to billions of times the Sun's mass,
        at the centres of most galaxies, including our own Sagittarius A*. How they grew so big is still
        being researched.

        **Falling in.** For a small black hole, the difference in gravity between your head and your feet
        would stretch you apart before you reached the horizon ("spaghettification"). For a supermassive
        one, the tidal forces at the horizon are gentle, and you might cross it without noticing anything
        special at that moment. A distant observer, though, would see you slow down, redden and fade as
        you approach the horizon, never quite seeing you cross.

        We can't see black holes directly, but we detect them through their effect on nearby stars, the
        hot glowing gas swirling around them, and gravitational waves from black holes merging. In 2019
        the Event Horizon Telescope published the first image of the "shadow" of a black hole, in the
        galaxy M87.
        """,
        ("Will the Sun become a black hole?",
         """
         No, it isn't massive enough. In about 5 billion years the Sun will swell into a red giant, shed
         its outer layers as a glowing planetary nebula, and leave behind a **white dwarf**: a hot,
         Earth-sized core that slowly cools over billions of years. Only stars with cores heavier than
         about three solar masses at the end of their lives collapse all the way to black holes.
         """),
    ),
    S(
        ["Why do we have seasons?", "is summer caused by the earth being closer to the sun?"],
        """
        Seasons are caused by the **tilt of Earth's axis**, about 23.4°, not by our distance from the Sun.

        As Earth orbits, the axis keeps pointing in the same direction in space. So for part of the year
        the Northern Hemisphere leans towards the Sun, and six months later it leans away:

        - When your hemisphere leans towards the Sun, sunlight hits the ground at a steeper angle, so the
          same amount of light is concentrated on a smaller area, and the days are longer. More energy
          per square metre per day → summer.
        - When it leans away, the light arrives at a low angle and is spread out, and the days are
          short → winter.

        The distance idea is a very common misconception. Earth is actually closest to the Sun in early
        January, during the northern winter. And the hemispheres have opposite seasons at the same
        time: when it is summer in Europe, it is winter in Australia, which distance could never explain.
        """,
        ("So what would happen if Earth had no tilt?",
         """
         There would be almost no seasons. Every day of the year would be like an equinox: about 12 hours
         of daylight everywhere, with the Sun's noon height depending only on your latitude. The equator
         would be permanently hot and the poles permanently cold, with just a slight change during the
         year from the small variation in Earth's distance to the Sun. Weather and ecosystems would be
         very different; many plants and animals rely on seasonal cues to flower, migrate or breed.
         """),
    ),
    S(
        ["How does a lithium-ion battery work?", "what happens inside a phone battery when it charges"],
        """
        A lithium-ion battery stores energy by moving lithium ions between two electrodes:

        - The **anode** (negative side) is usually graphite, layers of carbon that lithium can slip
          between.
        - The **cathode** (positive side) is a metal oxide, for example lithium cobalt oxide or lithium
          iron phosphate.
        - Between them is an **electrolyte** that lets ions pass, and a thin porous **separator** that
          keeps the electrodes from touching.

        **Discharging** (using your phone): lithium atoms in the graphite give up an electron. The ions
        travel through the electrolyte to the cathode, while the electrons are forced to go around
        through the external circuit, powering your device, and meet the ions on the other side.

        **Charging:** the charger pushes electrons back the other way, and the lithium ions return to the
        graphite, storing energy again.

        Batteries wear out because every cycle causes tiny side reactions: a film grows on the anode,
        some lithium gets trapped, and electrode materials crack slightly. Heat and keeping the battery at
        100% or near 0% for long periods speed this up, which is why many phones now offer to stop charging
        at 80%.
        """,
        ("Why do they sometimes catch fire?",
         """
         The electrolyte is a flammable organic liquid, and a charged battery holds a lot of energy in a
         small space. If the separator is damaged (by a manufacturing defect, a puncture, or metallic
         lithium "dendrites" growing during fast charging in the cold), the electrodes can touch. The
         short circuit heats the cell, the heat triggers reactions that release more heat and gas, and
         this can run away within seconds: **thermal runaway**. That is why damaged or swollen batteries
         should never be charged and should be recycled properly rather than thrown in the bin.
         """),
    ),
    S(
        ["How does DNA make proteins?", "explain transcription and translation in simple terms"],
        """
        Think of DNA as a cookbook stored safely in the cell's nucleus. Proteins are the dishes. The cell
        never takes the cookbook out of the library; it makes copies of single recipes.

        1. **Transcription** (in the nucleus): an enzyme called RNA polymerase reads one gene and builds a
           matching strand of **messenger RNA** (mRNA). In complex cells, the mRNA is then edited:
           non-coding pieces (introns) are cut out.
        2. The mRNA leaves the nucleus and reaches a **ribosome**, the cell's protein factory.
        3. **Translation**: the ribosome reads the mRNA three letters at a time. Each three-letter
           "codon" stands for one amino acid (for example, AUG means methionine and also "start here").
           Transfer RNA molecules bring the matching amino acids, and the ribosome links them into a chain.
        4. A "stop" codon ends the chain. The chain then folds into a specific 3D shape, and that shape
           determines what the protein does: an enzyme, a structural fibre, a hormone, a receptor...

        The genetic code uses 64 codons for 20 amino acids, so most amino acids have several codons. This
        redundancy means some DNA mutations don't change the protein at all.
        """,
    ),
    S(
        ["What causes earthquakes?", "why do earthquakes happen and can we predict them"],
        """
        Earth's outer shell is broken into large **tectonic plates** that move a few centimetres per year,
        about as fast as your fingernails grow. Where plates meet, they don't slide smoothly: friction locks
        the rocks together while the plates keep moving, so stress builds up over decades or centuries.

        When the stress exceeds the strength of the rocks, they suddenly slip along a fracture called a
        **fault**. The stored energy is released as seismic waves that travel through the ground: that
        shaking is the earthquake. The point underground where the slip starts is the focus (or
        hypocentre); the point directly above it on the surface is the epicentre.

        There are three main kinds of plate boundary:

        - **Convergent** (plates pushing together, e.g. Japan, Chile): the strongest earthquakes.
        - **Divergent** (pulling apart, e.g. Iceland, mid-ocean ridges).
        - **Transform** (sliding past each other, e.g. the San Andreas Fault in California).

        **Prediction:** scientists can forecast probabilities, such as "a 30% chance of a major quake in
        this region in the next 30 years", but nobody can yet predict the exact time and place of a
        specific earthquake. Early-warning systems can give seconds to tens of seconds of warning by
        detecting the first, faster waves before the damaging ones arrive.
        """,
    ),
    S(
        ["How does the greenhouse effect work?", "explain the greenhouse effect and why co2 matters"],
        """
        The Sun heats Earth mostly with visible light, which passes easily through the atmosphere. The
        warmed surface then radiates energy back out as **infrared** radiation.

        Some gases, mainly water vapour, carbon dioxide, methane and nitrous oxide, absorb infrared
        radiation and re-emit it in all directions, including back down. This slows the escape of heat,
        so the surface settles at a higher temperature than it would otherwise. Without any greenhouse
        effect, Earth's average temperature would be around −18 °C instead of about +15 °C.

        The problem is the **enhanced** greenhouse effect. Burning fossil fuels and cutting forests have
        raised the CO₂ concentration from about 280 ppm before the industrial era to over 420 ppm today.
        More CO₂ means heat escapes to space from higher, colder layers of the atmosphere, so less of it
        escapes overall until the surface warms up enough to restore the balance.

        Water vapour is the most abundant greenhouse gas, but it acts as an amplifier rather than a driver:
        warmer air holds more water vapour, which traps more heat. CO₂ stays in the atmosphere for
        centuries, which is why it controls the long-term trend.
        """,
        ("If CO2 is only 0.04% of the air, how can it have such a big effect?",
         """
         Because the other 99% mostly doesn't interact with infrared at all: nitrogen and oxygen molecules
         are transparent to it. So the small fraction of gases that do absorb infrared controls how heat
         escapes. A small concentration can have a large effect in many contexts; for example a few drops
         of ink colour a whole glass of water. The physics of CO₂ absorbing infrared has been measured in
         laboratories since the 1850s and is confirmed by satellites that see less infrared escaping at
         exactly the wavelengths CO₂ absorbs.
         """),
    ),
    S(
        ["What is quantum entanglement? Explain without math",
         "can you explain quantum entanglement in simple words, is it faster than light communication?"],
        """
        Entanglement is a connection between two (or more) particles in which their properties are
        described together, not separately. Measuring one immediately tells you something about the other,
        no matter how far apart they are.

        An analogy (imperfect, as all of them are): imagine a pair of magic coins prepared together and
        sent to two cities. Each coin, flipped alone, lands heads or tails completely at random. But
        whenever both are flipped, they always land opposite to each other. The surprising part, shown by
        Bell's theorem and many experiments since the 1970s (recognised by the 2022 Nobel Prize), is that
        this correlation can't be explained by the coins having secretly decided their results in
        advance.

        **Can it send messages faster than light?** No. Each person sees a perfectly random sequence on
        their own. The correlation only shows up when the two compare results, and that comparison has to
        travel by ordinary means, at or below the speed of light. So causality is safe.

        Entanglement is the key resource behind quantum computing, quantum key distribution (encryption
        that reveals eavesdropping) and quantum teleportation of states (of information, not matter).
        """,
    ),
    S(
        ["Why are antibiotics becoming less effective?", "what is antibiotic resistance"],
        """
        Antibiotic resistance is evolution happening fast enough for us to watch.

        A bacterial population contains billions of individuals, and random mutations occur constantly.
        Occasionally one changes something that helps survive an antibiotic: an enzyme that breaks the drug
        down, a pump that pushes it out, or a modified target the drug can no longer bind to. When the
        antibiotic is used, the sensitive bacteria die and the resistant ones survive and multiply. Bacteria
        can also pass resistance genes to each other directly, even between species, on small loops of
        DNA called plasmids.

        What speeds it up:

        - Using antibiotics when they don't help, for example for viral infections like colds and flu.
        - Not finishing a prescribed course or taking leftover pills without advice.
        - Large-scale use in livestock farming to promote growth.
        - Poor infection control in hospitals and poor sanitation, which help resistant strains spread.

        What helps: taking antibiotics only when prescribed and exactly as prescribed, vaccination (fewer
        infections means fewer antibiotics), hand hygiene, and research into new drugs and alternatives
        such as bacteriophage therapy.
        """,
    ),
]

HISTORY = [
    S(
        ["What were the main causes of World War I?", "why did ww1 start?",
         "Can you summarise the causes of the First World War?"],
        """
        Historians usually group the causes into long-term tensions and a short-term trigger. A handy
        acronym is **MAIN**:

        - **Militarism**: the great powers built up huge armies and navies, and the naval race between
          Britain and Germany fed mutual suspicion. Military plans, like Germany's Schlieffen Plan, relied
          on mobilising fast, which left little time for diplomacy in a crisis.
        - **Alliances**: Europe was split into the Triple Entente (France, Russia, Britain) and the
          Triple Alliance (Germany, Austria-Hungary, Italy). A local conflict could quickly pull everyone in.
        - **Imperialism**: competition for colonies and influence, for example the Moroccan crises,
          created rivalries and resentment.
        - **Nationalism**: strong national pride in the great powers, and nationalist movements among
          Slavic peoples in the Balkans that threatened multi-ethnic Austria-Hungary.

        **The trigger** was the assassination of Archduke Franz Ferdinand, heir to the Austro-Hungarian
        throne, in Sarajevo on 28 June 1914 by Gavrilo Princip, a Bosnian Serb nationalist. Austria-Hungary,
        backed by Germany, issued an ultimatum to Serbia. Russia mobilised to support Serbia, Germany
        declared war on Russia and France, and when Germany invaded neutral Belgium, Britain entered the war
        on 4 August 1914.

        Historians still debate how much responsibility each country bears; the "war guilt" question was
        politically explosive after the war.
        """,
        ("Why did the US join so late?",
         """
         At first most Americans wanted to stay out of a European war, and President Wilson won re-election
         in 1916 partly on the slogan "He kept us out of war". Two developments changed that in early 1917:

         1. Germany resumed **unrestricted submarine warfare**, sinking ships, including American ones,
            without warning, in an attempt to starve Britain before the US could react.
         2. The **Zimmermann Telegram**, intercepted by British intelligence, revealed a German proposal
            to Mexico: join the war against the US and recover Texas, New Mexico and Arizona.

         Congress declared war in April 1917. American troops arrived in large numbers in 1918 and their
         fresh manpower and resources helped tip the balance on the Western Front.
         """),
        ("How did the war end?",
         """
         Germany's last big push, the Spring Offensive of 1918, gained ground but exhausted its army.
         The Allies then counter-attacked in the Hundred Days Offensive starting in August. Germany's allies
         collapsed one after another (Bulgaria, the Ottoman Empire, Austria-Hungary), a naval mutiny and
         revolution broke out in Germany, and the Kaiser abdicated. An armistice took effect at 11 a.m. on
         11 November 1918. The formal peace with Germany, the Treaty of Versailles, was signed in June 1919.
         """),
    ),
    S(
        ["Why did the Western Roman Empire fall?", "what caused the fall of rome"],
        """
        There was no single cause; historians see a combination of problems that built up over centuries,
        until the Western Empire ended, conventionally dated to 476 CE when the Germanic general Odoacer
        deposed the last emperor, Romulus Augustulus.

        - **Political instability**: in the 3rd century alone there were more than 20 emperors, many
          murdered by their own soldiers. Civil wars drained resources that should have gone to defence.
        - **Economic trouble**: heavy taxation, debased coinage and inflation, and disrupted trade hurt the
          cities and the state's ability to pay its army.
        - **Military pressure**: Germanic peoples (Goths, Vandals, Franks and others) pushed across the
          borders, partly because they were themselves fleeing the Huns. Rome increasingly relied on
          these groups as allies and soldiers, with loyalty that could shift.
        - **Division of the empire**: after 395 the East and West were ruled separately. The wealthier
          Eastern half, centred on Constantinople, survived for almost another thousand years as the
          Byzantine Empire, until 1453.
        - **Key losses**: the Vandals' capture of North Africa in 439 cut the West off from its richest
          tax and grain province.

        Many historians today speak of a "transformation" rather than a sudden fall: Roman law, the Latin
        language and the Church continued to shape the kingdoms that replaced the empire.
        """,
    ),
    S(
        ["How did the printing press change Europe?", "impact of gutenberg's printing press"],
        """
        Johannes Gutenberg's press with movable metal type, developed in Mainz around 1440–1450, didn't
        invent printing (woodblock printing and even movable type existed earlier in China and Korea), but
        it made books fast and cheap to produce in Europe. Its effects were enormous:

        - **Explosion of books**: by 1500, presses in over 250 European towns had produced millions of
          copies. A book that took a scribe months could be printed in days.
        - **The Reformation**: Martin Luther's writings after 1517 spread across Germany within weeks.
          Printed Bibles in local languages let people read scripture without relying on the clergy.
        - **Science**: researchers could share identical copies of data, diagrams and results, check and
          build on each other's work. The Scientific Revolution depended on this.
        - **Standardised languages**: printers settled on spellings and grammar, which helped form modern
          national languages.
        - **Literacy and ideas**: cheaper reading material encouraged literacy and later helped spread
          Enlightenment ideas, newspapers and political pamphlets.

        It is often compared to the internet for how dramatically it changed who could publish and who
        could read.
        """,
    ),
    S(
        ["Give me a short summary of the French Revolution", "french revolution in a nutshell?"],
        """
        **Causes (1780s):** France was nearly bankrupt after expensive wars, including support for the
        American Revolution. The tax system burdened commoners while the clergy and nobility were largely
        exempt. Bad harvests drove up bread prices, and Enlightenment ideas questioned absolute monarchy.

        **1789:** King Louis XVI called the Estates-General to raise money. The Third Estate (commoners)
        declared itself the National Assembly. On 14 July, crowds stormed the Bastille in Paris. In August
        the Assembly abolished feudal privileges and adopted the Declaration of the Rights of Man and of the
        Citizen.

        **1792–1794:** France became a republic and went to war with Austria and Prussia. Louis XVI was
        executed in January 1793. Under the Committee of Public Safety, led by Robespierre, the **Reign of
        Terror** executed tens of thousands of suspected enemies, until Robespierre himself was guillotined
        in July 1794.

        **1795–1799:** a more moderate government, the Directory, struggled with corruption and war.
        In 1799 General Napoleon Bonaparte seized power in a coup, which is usually taken as the end of the
        Revolution.

        **Legacy:** the ideas of popular sovereignty, equality before the law and citizenship spread across
        Europe, along with the metric system, and the Revolution became the model and warning for many
        revolutions afterwards.
        """,
        ("What happened to Marie Antoinette?",
         """
         After the monarchy was abolished, she was imprisoned with the royal family. She was tried by the
         Revolutionary Tribunal on charges including treason (she had indeed corresponded with Austria, her
         native country, during the war) and was guillotined on 16 October 1793, about nine months after her
         husband. By the way, there's no evidence she ever said "Let them eat cake"; the phrase appears in
         Rousseau's writings from when she was still a child in Austria.
         """),
    ),
    S(
        ["What was the Silk Road?", "tell me about the silk road trade routes"],
        """
        The Silk Road was not a single road but a network of overland and sea routes linking China with
        Central Asia, India, Persia, the Middle East, East Africa and Europe. It flourished from around the
        2nd century BCE, when the Han dynasty opened contacts westward, until roughly the 15th century.

        **What was traded:** silk, porcelain, tea and paper from China; horses from Central Asia; spices,
        cotton and gems from India; glassware, wool, gold and silver from the West. Few merchants travelled
        the whole way; goods passed through many hands in oasis cities such as Samarkand, Bukhara,
        Kashgar and Dunhuang.

        **What else travelled:** ideas and technologies mattered even more than goods. Buddhism spread from
        India to China, and later Islam moved east. Papermaking reached the Islamic world and eventually
        Europe. Mathematics, astronomy, foods, musical instruments and artistic styles moved in both
        directions. Unfortunately, so did diseases: the Black Death is thought to have spread west along
        these routes in the 1340s.

        The routes declined as sea trade became cheaper and safer and as the political unity of the
        Mongol empire broke apart.
        """,
    ),
    S(
        ["What was the Industrial Revolution and why did it start in Britain?",
         "why did the industrial revolution begin in england"],
        """
        The Industrial Revolution was the shift, beginning around 1760, from hand production to machines,
        factories and steam power. It started in British textile manufacturing and spread to iron, coal,
        transport and eventually the whole economy and the rest of the world.

        Why Britain first? Historians point to a combination of factors:

        - **Coal and iron** deposits close to each other and to waterways.
        - **High wages and cheap energy**: labour was expensive compared with coal, so there was a strong
          incentive to invent labour-saving machines.
        - **Capital and institutions**: banks, joint-stock companies, patents, and a relatively stable
          political system that protected property.
        - **Markets**: a growing population, a large colonial empire and extensive trade networks.
        - **Agricultural changes** that fed more people with fewer farm workers.
        - **A culture of tinkering**: practical engineers like James Watt (improved steam engine),
          Richard Arkwright (water frame) and later George Stephenson (railways).

        The consequences were huge: rapid urbanisation, new social classes, harsh factory conditions and
        child labour (which led to the first labour laws and unions), and eventually a rise in living
        standards never seen before, along with the beginning of large-scale fossil fuel use.
        """,
    ),
    S(
        ["How did the Apollo 11 mission work? How did they get to the moon and back?",
         "explain the apollo 11 moon landing step by step"],
        """
        Apollo 11 launched on 16 July 1969 with Neil Armstrong, Buzz Aldrin and Michael Collins.

        1. **Launch**: the Saturn V rocket, 110 m tall, used three stages to reach Earth orbit.
        2. **Trans-lunar injection**: after about one and a half orbits, the third stage fired again to
           send the spacecraft towards the Moon. The command/service module *Columbia* separated, turned
           around and docked with the lunar module *Eagle*, pulling it free of the rocket.
        3. **Coast**: about three days to the Moon, then an engine burn behind the Moon put them into
           lunar orbit.
        4. **Landing**: Armstrong and Aldrin descended in *Eagle* while Collins stayed in orbit. Computer
           alarms and a boulder field forced Armstrong to fly manually; they landed on 20 July with
           roughly 25 seconds of fuel margin, in the Sea of Tranquillity.
        5. **Moonwalk**: about two and a half hours outside, collecting 21.5 kg of samples, setting up
           experiments (including a laser reflector still used today) and planting a flag.
        6. **Return**: the upper part of *Eagle* launched from the Moon, docked with *Columbia*, and was
           then discarded. The service module engine sent them home.
        7. **Re-entry and splashdown**: only the small command module came back, hitting the
           atmosphere at about 11 km/s, protected by its heat shield, and splashing down in the Pacific
           on 24 July.

        The computer on board had about 4 KB of erasable memory, tiny compared with any modern device.
        """,
        ("What did Michael Collins do while they were on the surface?",
         """
         He flew *Columbia* alone in lunar orbit for about 21 hours, keeping the ship ready for the
         rendezvous, which was the only way home. Every time he passed behind the Moon he lost radio
         contact with Earth completely, and he later wrote that he felt not lonely but aware, and even
         joyful. If the lunar module's ascent engine had failed, he would have had to return to Earth
         alone; President Nixon even had a speech prepared for that case.
         """),
    ),
    S(
        ["What was the Meiji Restoration?", "how did japan modernize so quickly in the 1800s"],
        """
        The Meiji Restoration (from 1868) was the political revolution that ended about 260 years of rule
        by the Tokugawa shoguns and restored power, formally, to the emperor, who took the reign name
        Meiji ("enlightened rule").

        **Background:** Japan had restricted foreign contact for two centuries. In 1853 US Commodore Perry
        arrived with warships and forced the country to open ports. Unequal treaties followed, and many
        samurai felt the shogunate had failed to defend Japan. Domains like Satsuma and Chōshū led a
        movement that overthrew it.

        **Rapid modernisation:**

        - The feudal domains were abolished and replaced with prefectures; the samurai class lost its
          privileges.
        - A national army based on conscription and a modern navy were built.
        - Railways, telegraphs, factories and a national banking system were introduced, often with
          foreign advisers and students sent abroad.
        - Universal education was established, and a constitution was adopted in 1889.

        Within roughly 40 years, Japan went from a feudal society to an industrial and military power that
        defeated China (1895) and Russia (1905). The slogan of the era was "rich country, strong army".
        """,
    ),
]

GEOGRAPHY = [
    S(
        ["Why is Greenland covered in ice but Iceland is green?", "greenland vs iceland names, why?"],
        """
        The names are famously misleading. According to the Icelandic sagas, Erik the Red named Greenland
        around 985 CE partly as marketing, to attract settlers. In fact about 80% of Greenland is covered
        by an ice sheet up to 3 km thick, though its southern coasts do turn green in summer.

        Iceland is milder than its name suggests mainly because of the **North Atlantic Current**, an
        extension of the Gulf Stream, which brings warm water to its southern and western coasts. Reykjavík's
        winter average is around 0 °C. Greenland, by contrast, is much bigger, reaches much further north,
        and its interior is cut off from the ocean's influence; cold currents also run along its east coast.
        Iceland still has big glaciers, such as Vatnajökull, but most of the island is not ice-covered.
        """,
    ),
    S(
        ["What causes monsoons?", "how does the monsoon in india work"],
        """
        A monsoon is a seasonal reversal of the winds, and the South Asian monsoon is the most famous one.

        **Summer:** land heats up much faster than the ocean. By May and June, the air over India and the
        Tibetan Plateau is very hot and rises, creating low pressure. Moist air from the Indian Ocean flows in
        to replace it. As this humid air rises over the land, and especially when it is pushed up against the
        Western Ghats and the Himalayas, it cools and drops huge amounts of rain. The monsoon usually reaches
        Kerala around 1 June and covers the whole country by mid-July.

        **Winter:** the pattern reverses. The land cools faster than the sea, high pressure builds over
        the continent, and dry winds blow from the land towards the ocean.

        The summer monsoon provides around 70–80% of India's annual rainfall, so its timing and strength
        matter enormously for farming, water supplies and the economy. Places like Mawsynram and Cherrapunji
        in north-east India are among the wettest on Earth.
        """,
    ),
    S(
        ["What are the longest rivers in the world?", "top 5 longest rivers"],
        """
        Here are the usual top five, with approximate lengths (measurements vary depending on where you
        decide a river starts and ends):

        1. **Nile** (Africa): about 6,650 km, flowing north through eleven countries to the Mediterranean.
        2. **Amazon** (South America): about 6,400 km, and by far the largest by volume: it carries about
           a fifth of all river water that reaches the oceans.
        3. **Yangtze** (China): about 6,300 km, the longest river entirely within one country.
        4. **Mississippi–Missouri** (USA): about 6,275 km as a combined system.
        5. **Yenisei–Angara** (Russia/Mongolia): about 5,540 km, flowing into the Arctic Ocean.

        Some researchers argue that the Amazon is actually longer than the Nile, depending on which
        source stream is counted, so the top spot is still debated.
        """,
        ("Which one has the most countries?",
         """
         The **Danube** holds that record: it flows through or along the borders of ten countries (Germany,
         Austria, Slovakia, Hungary, Croatia, Serbia, Romania, Bulgaria, Moldova and Ukraine), and its
         drainage basin touches even more. It passes four capital cities: Vienna, Bratislava, Budapest and
         Belgrade. Among the rivers in the list above, the Nile basin covers eleven countries.
         """),
    ),
    S(
        ["How do time zones work?", "why are there time zones and who decides them"],
        """
        Earth rotates 360° in 24 hours, so 15° per hour. Noon, when the Sun is highest, happens at
        different moments in different places. Before railways, every town simply kept its own local solar
        time. Fast trains made that chaotic, so in the 1880s railway companies and then governments adopted
        standard time zones.

        The reference is **UTC** (Coordinated Universal Time), essentially the time at the prime meridian
        through Greenwich, London. In theory each zone covers 15° of longitude and differs from UTC by a
        whole number of hours. In practice:

        - Countries choose their own time, so borders follow politics, not lines. China spans almost five
          theoretical zones but uses one (UTC+8).
        - Some zones are offset by half or quarter hours: India is UTC+5:30 and Nepal UTC+5:45.
        - Many countries add **daylight saving time** in summer.
        - The **International Date Line**, roughly at 180° longitude, is where the date changes.

        So the rules are set by each country's government, while UTC itself is maintained by international
        agreement using atomic clocks.
        """,
    ),
    S(
        ["Tell me some interesting facts about the Sahara desert", "sahara desert facts"],
        """
        - **Size:** about 9 million km², roughly the size of the United States or China. It's the largest
          hot desert; only the polar deserts of Antarctica and the Arctic are bigger.
        - **Not just sand:** only about 20–25% is sand dunes (ergs). Most of it is rocky plateaus
          (hamada), gravel plains and mountains such as the Ahaggar and Tibesti, whose highest peak,
          Emi Koussi, is over 3,400 m.
        - **It was green:** between roughly 11,000 and 5,000 years ago, during the "African Humid Period",
          the Sahara had lakes, grasslands, hippos and crocodiles. Rock art shows cattle herders where there
          is now desert.
        - **Temperature swings:** days can exceed 45 °C in summer, but nights can fall close to freezing
          because dry air and clear skies let heat escape quickly.
        - **Dust that fertilises the Amazon:** winds carry millions of tonnes of Saharan dust across the
          Atlantic each year, and its phosphorus helps feed the Amazon rainforest.
        - **People:** around 2 million people live in the Sahara, including Tuareg and other nomadic and
          oasis communities.
        """,
    ),
]

CAPITALS = [
    ("Australia", "Canberra", "It was purpose-built as a compromise between rivals Sydney and Melbourne."),
    ("Canada", "Ottawa", "Queen Victoria chose it in 1857, partly because it sat between English- and "
     "French-speaking regions."),
    ("Brazil", "Brasília", "It was built from scratch in the late 1950s to develop the interior, and its "
     "plan is shaped like an airplane or a bird."),
    ("Turkey", "Ankara", "Istanbul is the largest city, but Atatürk made Ankara the capital in 1923."),
    ("Switzerland", "Bern", "Officially Switzerland has no capital; Bern is called the 'federal city'."),
    ("New Zealand", "Wellington", "It is the southernmost capital of a sovereign state."),
    ("Morocco", "Rabat", "Many people guess Casablanca or Marrakesh, but the capital is Rabat."),
    ("Vietnam", "Hanoi", "Ho Chi Minh City in the south is larger, but Hanoi in the north is the capital."),
    ("Nigeria", "Abuja", "It replaced Lagos as the capital in 1991."),
    ("Kazakhstan", "Astana", "The city has been renamed several times; it was called Nur-Sultan from 2019 to "
     "2022."),
    ("Myanmar", "Naypyidaw", "The government moved there from Yangon in 2005–2006."),
    ("Bolivia", "Sucre", "Sucre is the constitutional capital, while the government sits in La Paz, the "
     "highest seat of government in the world."),
    ("Mongolia", "Ulaanbaatar", "It's often called the coldest capital city in the world."),
    ("Peru", "Lima", "It was founded by Francisco Pizarro in 1535."),
    ("Egypt", "Cairo", "Egypt is building a New Administrative Capital east of Cairo."),
    ("Iceland", "Reykjavík", "Its name means 'smoky bay', after the steam from hot springs."),
]


def g_capital(rng: random.Random) -> dict:
    country, capital, fact = rng.choice(CAPITALS)
    q = rng.choice([f"What is the capital of {country}?", f"capital of {country}?",
                    f"whats the capital city of {country}", f"which city is the capital of {country}?"])
    return S(q, f"The capital of {country} is **{capital}**. {fact}")

RECIPES = [
    S(
        ["Give me a simple recipe for banana bread", "how do i make banana bread? i have 3 very ripe bananas",
         "I have overripe bananas, what can I bake with them?"],
        """
        Here's an easy one-bowl banana bread that works well with very ripe, spotty bananas.

        **Ingredients (one 23 × 13 cm loaf)**
        - 3 ripe bananas (about 300 g peeled)
        - 75 g melted butter
        - 100 g brown sugar (or 80 g if your bananas are very sweet)
        - 1 egg
        - 1 tsp vanilla extract
        - 1 tsp baking soda
        - a pinch of salt
        - 190 g plain flour
        - optional: a handful of chopped walnuts or chocolate chips

        **Method**
        1. Heat the oven to 175 °C (350 °F) and grease or line the loaf tin.
        2. Mash the bananas in a bowl with a fork until mostly smooth.
        3. Stir in the melted butter, then the sugar, egg and vanilla.
        4. Sprinkle the baking soda and salt over the mixture and stir, then fold in the flour just until
           no dry streaks remain. Don't overmix, or the bread gets tough. Fold in nuts or chips.
        5. Pour into the tin and bake for 55–65 minutes, until a skewer in the centre comes out clean.
           If the top browns too fast, cover it loosely with foil after 40 minutes.
        6. Cool in the tin for 10 minutes, then on a rack.

        It keeps for 3–4 days wrapped at room temperature, and freezes well in slices.
        """,
        ("Can I make it without eggs?",
         """
         Yes. The easiest swaps for one egg:

         - 1 tablespoon ground flaxseed mixed with 3 tablespoons water, left for 5 minutes to thicken;
         - or 60 g (¼ cup) plain yoghurt or apple sauce.

         Bananas already bind the batter well, so banana bread is one of the most forgiving recipes for
         egg-free baking. The loaf may be slightly denser; add 5 minutes to the baking time and check with
         a skewer.
         """),
        ("And to make it a bit healthier?",
         """
         A few changes that keep it tasty:

         - Replace half the flour with wholemeal flour or oat flour.
         - Cut the sugar to 50–60 g; ripe bananas provide plenty of sweetness.
         - Use 60 ml of neutral oil or half butter, half Greek yoghurt.
         - Add walnuts or seeds for fibre and healthy fats, instead of chocolate chips.

         Don't remove all the fat and sugar at once, though, or the texture becomes rubbery and dry.
         """),
    ),
    S(
        ["What's a quick weeknight dinner I can make with chicken, rice and whatever vegetables?",
         "easy chicken and rice dinner idea, 30 minutes max"],
        """
        Try a **one-pan chicken and vegetable fried rice**; it takes about 25 minutes and works best with
        cold, day-old rice.

        **For 2–3 people**
        - 2 chicken breasts or 4 thighs, cut into small pieces
        - 400 g cooked rice (about 150 g uncooked), ideally cold
        - 2 cups chopped vegetables: peas, carrots, peppers, broccoli, spring onions, whatever you have
        - 2 eggs
        - 2 cloves garlic, 1 thumb of ginger, finely chopped
        - 3 tbsp soy sauce, 1 tsp sesame oil, 2 tbsp neutral oil

        **Steps**
        1. Toss the chicken with 1 tbsp soy sauce. Heat 1 tbsp oil in a large pan or wok over high heat and
           cook the chicken for 5–6 minutes until browned and cooked through. Set aside.
        2. Add the rest of the oil, then the harder vegetables (carrots, broccoli) for 3 minutes, then
           softer ones, garlic and ginger for 1–2 minutes more.
        3. Push everything to the side, crack the eggs into the empty space and scramble them.
        4. Add the rice, breaking up clumps, and stir-fry for 3–4 minutes until hot and slightly crispy.
        5. Return the chicken, add the remaining soy sauce and the sesame oil, toss, and taste.

        Finish with sliced spring onions, a squeeze of lime, or chilli sauce.
        """,
        ("I don't have leftover rice, only raw. Will it still work?",
         """
         Yes, with a small trick: cook the rice with slightly less water than usual (so it's firmer), then
         spread it out on a large plate or tray for 10–15 minutes to let the steam escape. You can speed it
         up by putting the tray in the fridge or near an open window. The goal is dry grains: warm, wet rice
         clumps and turns mushy in the pan. Start this first and prep the chicken and vegetables while the
         rice cools.
         """),
    ),
    S(
        ["How do I make a classic Italian tomato sauce from scratch?", "homemade pasta sauce recipe"],
        """
        A simple sauce in the Italian style needs few ingredients but good ones.

        **Ingredients (4 servings of pasta)**
        - 800 g canned whole peeled tomatoes (San Marzano type if you can find them)
        - 3 tbsp extra-virgin olive oil
        - 3 cloves garlic, lightly crushed or thinly sliced
        - a few fresh basil leaves
        - salt; optionally a pinch of chilli flakes

        **Method**
        1. Warm the oil in a wide pan over medium-low heat. Add the garlic and cook gently for 2–3 minutes
           until fragrant and just golden at the edges. Don't let it brown, or it turns bitter.
        2. Pour in the tomatoes with their juice and crush them with a wooden spoon or potato masher.
        3. Add a good pinch of salt and simmer uncovered for 20–30 minutes, stirring occasionally, until
           thickened and the oil starts to separate at the edges.
        4. Remove the garlic if you prefer a milder taste, tear in the basil, and adjust the salt.

        Cook the pasta in well-salted water until just al dente, then finish it for a minute in the sauce
        with a splash of pasta water, which makes the sauce cling. A famous variation is Marcella Hazan's:
        instead of garlic and olive oil, simmer the tomatoes with 70 g butter and half an onion for 45
        minutes.
        """,
        ("My sauce always tastes a bit sour. Should I add sugar?",
         """
         A pinch of sugar is a common fix and there's nothing wrong with it, but try these first:

         - **Cook it a little longer**: acidity mellows as the sauce reduces.
         - **Use better tomatoes**: cheaper canned tomatoes are often more acidic.
         - **Add fat**: a knob of butter or more olive oil at the end rounds off sharpness.
         - **Sweet vegetables**: a finely grated carrot cooked with the garlic adds natural sweetness.
         - **Salt properly**: under-salted sauce often tastes flat and sour.

         If it's still sharp, add sugar ¼ teaspoon at a time and taste after each.
         """),
    ),
    S(
        ["Can you give me a vegan lentil curry recipe?", "red lentil dal recipe please",
         "I want a cheap, healthy vegetarian dinner with lentils"],
        """
        **Red lentil and coconut dal** (serves 4, about 35 minutes)

        **Ingredients**
        - 250 g red lentils, rinsed until the water runs clear
        - 1 onion, finely chopped
        - 3 garlic cloves and a thumb of ginger, grated
        - 1 green chilli, chopped (optional)
        - 2 tbsp oil
        - 1 tsp cumin seeds, 1 tsp ground turmeric, 2 tsp ground coriander, 1 tsp garam masala
        - 1 can (400 g) chopped tomatoes
        - 1 can (400 ml) coconut milk
        - 500 ml water or vegetable stock
        - 2 handfuls of spinach, juice of half a lemon, salt, fresh coriander

        **Method**
        1. Heat the oil and fry the cumin seeds for 30 seconds until they sizzle. Add the onion and cook for
           8 minutes until soft and golden.
        2. Add garlic, ginger and chilli for 1 minute, then the ground spices for 30 seconds.
        3. Add tomatoes, lentils, coconut milk and water. Bring to a boil, then simmer for 20–25 minutes,
           stirring now and then, until the lentils break down. Add a splash of water if it gets too thick.
        4. Stir in the spinach until wilted, then the lemon juice and salt to taste.

        Serve with rice or flatbread and some fresh coriander. It costs very little per portion, gives you
        plenty of protein and fibre, and tastes even better the next day.
        """,
    ),
    S(
        ["How do I cook perfect fluffy rice on the stove?", "my rice is always mushy or burnt, help"],
        """
        For long-grain white rice (like basmati or jasmine), this absorption method works reliably:

        1. **Rinse** 1 cup of rice in a sieve under cold water until the water runs mostly clear. This
           removes surface starch, which is what makes rice gummy.
        2. **Measure the water**: about 1½ cups of water per cup of rice for basmati, 1¼ for jasmine. Add a
           pinch of salt.
        3. **Boil, then lower**: bring the water and rice to a boil uncovered, give it one stir, then put
           on a tight lid and turn the heat to the lowest setting.
        4. **Don't peek**: cook for 12 minutes (jasmine) to 15 minutes (basmati) without lifting the lid.
        5. **Rest**: take the pan off the heat and leave it covered for 10 minutes. The steam finishes the
           cooking evenly.
        6. **Fluff** with a fork and serve.

        Mushy rice usually means too much water or too much stirring; burnt rice means the heat was too
        high in step 4. A heavy-bottomed pan helps a lot. Brown rice needs more water (about 2 cups) and
        about 40 minutes.
        """,
    ),
    S(
        ["What can I cook with eggs, spinach and cheese?", "breakfast idea with eggs spinach feta"],
        """
        A few options, from quickest to fanciest:

        1. **Spinach and cheese omelette (5 min):** wilt a handful of spinach in a little butter, set it
           aside, cook 2–3 beaten eggs, add the spinach and cheese on one half and fold.
        2. **Shakshuka-style green eggs (15 min):** soften an onion and garlic, add lots of spinach, a
           pinch of cumin and chilli, make little wells, crack eggs in, cover until the whites set, and
           crumble feta on top. Serve with bread for dipping.
        3. **Crustless mini frittatas (25 min):** whisk 6 eggs with 2 handfuls of chopped spinach, 80 g
           grated cheese, salt and pepper; pour into a greased muffin tin and bake at 180 °C for 18–20
           minutes. They keep in the fridge for 3 days, perfect for a grab-and-go breakfast.
        4. **Spinach and cheese quesadilla with a fried egg on top**, if you have tortillas.

        Tip: squeeze out cooked spinach before adding it to eggs, otherwise the water makes them soggy.
        """,
    ),
]

TRAVEL = [
    S(
        ["Plan a 3-day trip to Rome for me", "I have 3 days in Rome, what should I see?",
         "first time in Rome for three days, can you make an itinerary"],
        """
        Here's a balanced 3-day plan that groups sights by area so you don't waste time crossing the city.

        **Day 1: Ancient Rome**
        - Morning: Colosseum (book a timed ticket online in advance), then the Roman Forum and Palatine
          Hill, which are included in the same ticket.
        - Lunch in the Monti neighbourhood.
        - Afternoon: Capitoline Museums and the view over the Forum from the terrace behind the
          Campidoglio.
        - Evening: walk to the Trevi Fountain (busy, but beautiful at night).

        **Day 2: Vatican and Prati**
        - Morning: Vatican Museums and the Sistine Chapel. Go at opening time or book an early slot.
        - St Peter's Basilica; climb the dome if you have the energy for the view.
        - Afternoon: Castel Sant'Angelo and a stroll across Ponte Sant'Angelo.
        - Dinner in Trastevere, the lively neighbourhood across the river.

        **Day 3: Historic centre**
        - Pantheon (there's now a small entry fee), Piazza Navona, Campo de' Fiori market.
        - Afternoon: Villa Borghese park and the Galleria Borghese (reservations required).
        - Sunset at the Pincio terrace above Piazza del Popolo, then the Spanish Steps.

        **Tips:** carry a refillable bottle (the street fountains, *nasoni*, have good drinking water),
        cover shoulders and knees for churches, and have coffee standing at the bar like locals; it's
        cheaper than sitting down.
        """,
        ("What typical Roman dishes should I try?",
         """
         Rome has four classic pasta dishes you should try at least once:

         - **Cacio e pepe**: pecorino cheese and black pepper, deceptively simple.
         - **Carbonara**: eggs, pecorino, guanciale (cured pork cheek) and pepper. No cream in the real one!
         - **Amatriciana**: tomato, guanciale and pecorino.
         - **Gricia**: basically amatriciana without tomato.

         Also look for **carciofi alla romana** or **alla giudia** (artichokes, in spring), **supplì**
         (fried rice balls with mozzarella inside), **saltimbocca**, and pizza al taglio sold by weight.
         And gelato, of course: avoid places with huge, fluffy, brightly coloured mounds; good gelato is
         usually kept in covered metal tins.
         """),
        ("Is it worth doing a day trip from Rome if I add a 4th day?",
         """
         Definitely. Popular options:

         - **Ostia Antica** (30–40 min by train): an ancient Roman port town, like a less crowded Pompeii.
         - **Tivoli**: Hadrian's Villa and the fountains of Villa d'Este, about an hour away.
         - **Orvieto**: a hilltop town with a stunning cathedral, about 1h15 by train.
         - **Florence**: doable in a day by high-speed train (1h30 each way), but tiring; it deserves more.
         - **Pompeii and Naples**: possible with an early fast train, but a very long day.

         For a relaxed extra day, Ostia Antica or Tivoli give the best ratio of travel to sightseeing.
         """),
    ),
    S(
        ["I'm going to Japan for 10 days in spring. Can you suggest a route?",
         "10 day japan itinerary first timer tokyo kyoto"],
        """
        A classic first-time route, with spring cherry blossoms in mind (usually late March to early
        April in Tokyo and Kyoto):

        **Days 1–4: Tokyo**
        - Shibuya and Harajuku, Meiji Shrine, Omotesando.
        - Asakusa and Senso-ji temple, then Ueno Park (a top cherry blossom spot).
        - Shinjuku Gyoen garden, and views from the free Tokyo Metropolitan Government Building.
        - A day trip to Nikko or Kamakura, or to Hakone for a view of Mount Fuji and a hot spring.

        **Days 5–8: Kyoto** (2h15 by shinkansen)
        - Fushimi Inari shrine early in the morning, before the crowds.
        - Kiyomizu-dera and the old streets of Higashiyama, Gion in the evening.
        - Arashiyama bamboo grove and Tenryu-ji.
        - The Philosopher's Path, lined with cherry trees.
        - A half-day trip to Nara for the giant Buddha and the deer.

        **Days 9–10: Osaka**
        - Dotonbori for street food (takoyaki, okonomiyaki), Osaka Castle park.
        - Fly home from Kansai airport to avoid going back to Tokyo.

        **Practical tips:** get a Suica or ICOCA card (or add one to your phone) for trains and
        convenience stores; check whether individual shinkansen tickets are cheaper than a rail pass for
        your route (since the 2023 price increase, they often are); book cherry-blossom-season
        accommodation well in advance; and carry some cash, since small shops still prefer it.
        """,
        ("Do I need to speak Japanese?",
         """
         No. In Tokyo, Kyoto and Osaka, train stations, signs and many menus are in English too, and
         staff in hotels and tourist areas usually speak some English. A few phrases go a long way and
         people appreciate them:

         - *Sumimasen*: excuse me / sorry (very useful)
         - *Arigatou gozaimasu*: thank you
         - *Kore o kudasai*: this one, please (point at the menu)
         - *Eigo no menyuu wa arimasu ka?*: do you have an English menu?

         A translation app with camera mode helps with menus and signs. Politeness matters more than
         grammar.
         """),
    ),
    S(
        ["What should I pack for a week-long hiking trip in the mountains in summer?",
         "packing list for multi-day hike, summer, huts"],
        """
        Assuming you sleep in mountain huts (no tent or cooking gear), here's a compact list:

        **Clothing (layers are key)**
        - Broken-in hiking boots or trail shoes with good grip
        - 2–3 pairs of hiking socks (merino or synthetic, not cotton)
        - 2 quick-dry T-shirts, 1 long-sleeve base layer
        - A warm mid layer (fleece or light down jacket): it can be near 0 °C at night even in July
        - Waterproof, breathable rain jacket and, ideally, rain trousers
        - Hiking trousers or shorts, plus something comfortable for the hut
        - Sun hat, warm hat and light gloves

        **Gear**
        - Backpack of 30–40 litres with a rain cover
        - Trekking poles (your knees will thank you on descents)
        - Headlamp, map and/or offline map app, power bank
        - Water bottles or bladder for 2 litres, plus purification tablets if needed
        - Hut sleeping bag liner (usually mandatory), earplugs
        - Small first-aid kit with blister plasters, painkillers, personal medication
        - Sunscreen, sunglasses, lip balm with SPF

        **Other**
        - Snacks (nuts, bars, dried fruit), cash (many huts don't take cards), ID and insurance card,
          a small towel and toiletries.

        Try to keep the pack under about 8 kg. Check the weather every morning: afternoon thunderstorms
        are common in the mountains in summer, so start early.
        """,
    ),
    S(
        ["Is Portugal or Spain better for a 2 week vacation in October?",
         "Spain or Portugal in october? we like food, beaches and walking around cities"],
        """
        Both are great in October: the summer crowds are gone, it's still warm in the south (often
        22–26 °C), and prices drop. It depends on what you want:

        **Portugal**
        - Compact: two weeks lets you see Lisbon, Sintra, Porto and the Douro Valley, and the Algarve
          coast without rushing.
        - Generally cheaper, especially food and wine.
        - Great for walking: hilly, tiled old towns, viewpoints, seafood and pastries.
        - The sea is colder (Atlantic), around 18–20 °C in the Algarve in October.

        **Spain**
        - More variety and bigger distances: Madrid, Andalusia (Seville, Granada, Córdoba), Barcelona,
          the Basque Country. Good high-speed trains make this manageable.
        - Incredible food culture: tapas in Andalusia, pintxos in San Sebastián.
        - Mediterranean beaches (Costa del Sol, Valencia) are warmer, often 21–23 °C water in October.

        **Suggestion:** if you want a relaxed trip with a mix of cities and beaches, do Portugal (Lisbon →
        Porto → Douro → Algarve). If you want more variety and don't mind moving around, do Andalusia
        plus Madrid or Barcelona. Or combine them: Seville to the Algarve is only about 2–3 hours by bus.
        """,
    ),
    S(
        ["Tips for a long-haul flight? I'm flying 14 hours for the first time",
         "how to survive a 14 hour flight"],
        """
        A few things make a long flight much more bearable:

        **Before**
        - Choose your seat: aisle if you want to get up freely, window if you want to lean and sleep.
        - Start shifting your sleep schedule a day or two before if you're crossing many time zones.
        - Wear loose, layered clothes and comfortable shoes; your feet swell a bit.

        **Carry-on essentials**
        - Neck pillow, eye mask, earplugs or noise-cancelling headphones
        - Refillable water bottle (fill it after security), snacks
        - Phone/tablet charged, with downloaded films, podcasts or books
        - Toothbrush, lip balm, moisturiser, any medication, a pen for arrival forms
        - Compression socks if you're prone to swollen legs

        **During**
        - Drink water regularly; go easy on alcohol and caffeine, which dehydrate you and worsen jet lag.
        - Walk around every hour or two and do ankle circles and calf raises in your seat to help blood
          flow.
        - Set your watch to the destination time and try to sleep when it's night there.

        **After arrival**
        - Get daylight and stay up until a reasonable local bedtime. A short nap (under 30 minutes) is fine.
        """,
    ),
]

HEALTH = [
    S(
        ["I want to start running but I'm completely out of shape. How should I begin?",
         "beginner running plan? i can barely run 2 minutes",
         "How do I get into running as a total beginner?"],
        """
        Great goal! The most common beginner mistake is doing too much too soon, so start with run/walk
        intervals and build gradually. A simple 8-week plan, three sessions a week with a rest day in between:

        | Week | Each session (after a 5-minute brisk walk) |
        |---|---|
        | 1 | 8 × (1 min run, 90 s walk) |
        | 2 | 6 × (90 s run, 2 min walk) |
        | 3 | 5 × (2 min run, 2 min walk) |
        | 4 | 4 × (3 min run, 90 s walk) |
        | 5 | 3 × (5 min run, 2 min walk) |
        | 6 | 2 × (8 min run, 2 min walk) |
        | 7 | 2 × (10 min run, 1 min walk) |
        | 8 | 20 minutes continuous |

        Tips:

        - **Go slow.** You should be able to speak in short sentences while running. If you can't, slow
          down; speed comes later.
        - **Repeat a week** if it felt too hard. There's no rush.
        - **Shoes** matter more than any other gear: get comfortable running shoes, ideally fitted at a
          running shop.
        - **Some soreness is normal**, but sharp or persistent pain (shins, knees) is a sign to rest.

        If you have heart problems, other health conditions, or haven't exercised in a long time, it's
        worth checking with your doctor before you start.
        """,
        ("My shins hurt after week 2. Should I push through?",
         """
         No, don't push through shin pain. It's often "shin splints" (medial tibial stress syndrome), which
         is very common in new runners because bones and tendons adapt more slowly than your heart and lungs.

         - Take a few days off running. Walking and cycling are usually fine if they don't hurt.
         - Ice the sore area for 10–15 minutes after activity.
         - When the pain is gone, return by repeating week 1 or 2, on softer surfaces if possible.
         - Check your shoes (worn out or wrong type?) and try shorter, quicker steps instead of long strides.
         - Strengthen calves with calf raises.

         If the pain is in one specific spot on the bone, hurts at rest or at night, or gets worse, see a
         doctor: that can be a stress fracture, which needs proper rest.
         """),
        ("Should I eat before morning runs?",
         """
         For easy runs under about an hour, many people run fine on an empty stomach, and others feel weak
         or dizzy. Experiment:

         - If you eat, keep it small and simple 30–60 minutes before: a banana, a slice of toast with honey,
           or a few crackers.
         - Avoid heavy, fatty or very high-fibre foods just before running.
         - Drink a glass of water when you wake up.
         - Afterwards, have a normal breakfast with some protein and carbohydrates.

         For longer or harder sessions, eating something beforehand usually improves performance.
         """),
    ),
    S(
        ["How can I improve my sleep? I wake up tired every day",
         "tips for better sleep, i go to bed late and wake up exhausted"],
        """
        Here are the changes with the best evidence behind them, roughly in order of impact:

        1. **Keep a consistent schedule**, including weekends. Waking at the same time every day is the
           strongest signal for your body clock.
        2. **Get morning daylight**: 10–20 minutes outside soon after waking helps set your rhythm, even on
           cloudy days.
        3. **Watch caffeine**: it has a half-life of about 5–6 hours, so a 4 p.m. coffee is still partly
           active at bedtime. Try no caffeine after noon.
        4. **Limit alcohol**: it helps you fall asleep but fragments sleep later in the night.
        5. **Make the bedroom dark, quiet and cool** (around 18 °C suits most people).
        6. **Wind down**: dim lights and put screens away 30–60 minutes before bed, or at least avoid
           stimulating content like work email and doom-scrolling.
        7. **Use the bed for sleep**: if you can't fall asleep after about 20 minutes, get up, do something
           calm in dim light, and return when sleepy.

        If you sleep 7–9 hours and still wake exhausted, snore loudly, or someone has noticed you stop
        breathing at night, talk to a doctor: conditions like sleep apnoea, anaemia or thyroid problems are
        common and treatable.
        """,
        ("What about naps? Are they bad?",
         """
         Naps aren't bad in themselves. A short nap of 10–20 minutes in the early afternoon can boost
         alertness without leaving you groggy. Longer naps (over 30 minutes) risk waking you from deep
         sleep, which causes that heavy, confused feeling, and late-afternoon naps can make it harder to
         fall asleep at night. If you're struggling with night-time sleep, it's usually better to skip naps
         for a while so your sleep pressure builds up by the evening.
         """),
    ),
    S(
        ["Can you make me a 3-day full body workout plan for the gym?",
         "beginner gym routine 3 days a week", "I just joined a gym, what workouts should I do?"],
        """
        For beginners, a full-body routine three times a week (e.g. Monday, Wednesday, Friday) is one of
        the most effective approaches. Alternate two workouts, A and B:

        **Workout A**
        1. Goblet squat or barbell back squat: 3 × 8–10
        2. Bench press or push-ups: 3 × 8–10
        3. Seated cable row or dumbbell row: 3 × 10–12
        4. Romanian deadlift (dumbbells): 3 × 10
        5. Plank: 3 × 30–45 seconds

        **Workout B**
        1. Leg press or split squats: 3 × 10 per leg
        2. Overhead press (dumbbells): 3 × 8–10
        3. Lat pulldown or assisted pull-ups: 3 × 10
        4. Hip thrust or glute bridge: 3 × 12
        5. Dead bug or bird dog: 3 × 10 per side

        **Guidelines**
        - Start light and focus on good form; film yourself or ask a trainer to check.
        - Rest 1–2 minutes between sets.
        - When you can do the top of the rep range for all sets with good form, increase the weight a
          little next time (progressive overload).
        - Warm up with 5 minutes of light cardio and a couple of light sets of the first exercise.
        - Sleep and enough protein (roughly 1.6 g per kg of body weight per day for muscle gain) matter as
          much as the workouts.
        """,
        ("How long until I see results?",
         """
         Most beginners notice they are **stronger within 2–4 weeks**; much of that early progress is your
         nervous system learning to use your muscles efficiently. **Visible changes** in muscle size or
         body shape usually take **8–12 weeks** of consistent training and adequate protein, and others
         tend to notice around the 3–4 month mark. Track your lifts in a notebook or app: seeing the numbers
         go up is motivating long before the mirror changes.
         """),
    ),
    S(
        ["Is it true we need to drink 8 glasses of water a day?", "how much water should I drink daily"],
        """
        The "8 glasses a day" rule is a handy reminder, but it isn't based on solid science, and it ignores
        that a lot of our water comes from food and other drinks.

        Health authorities give **total** water intake (from all drinks and food) of roughly:

        - about 2.0 litres per day for women
        - about 2.5 litres per day for men

        About 20–30% of that typically comes from food (fruit, vegetables, soups), and tea, coffee and milk
        count towards the rest. Coffee's diuretic effect is mild for people who drink it regularly.

        You need more in hot weather, when exercising, when ill with fever or diarrhoea, and during
        pregnancy or breastfeeding.

        For most healthy people, simple signs are enough: drink when you're thirsty and check that your
        urine is pale yellow. Older adults have a weaker sense of thirst, so they may need to drink more
        deliberately. Drinking far too much water in a short time can actually be dangerous, though that is
        rare outside endurance sports.
        """,
    ),
    S(
        ["What are some healthy snacks for work?", "healthy snack ideas that keep me full"],
        """
        Snacks that combine protein or fat with fibre keep you full longest. Some easy ideas:

        - **Greek yoghurt** with berries and a sprinkle of nuts
        - **Apple or pear slices** with peanut butter or a piece of cheese
        - **Hummus** with carrot, cucumber or pepper sticks
        - **A handful of nuts** (about 30 g): almonds, walnuts, pistachios
        - **Hard-boiled eggs** (make a batch on Sunday)
        - **Roasted chickpeas** or edamame
        - **Oatcakes or wholegrain crackers** with cottage cheese or avocado
        - **Dark chocolate** (a couple of squares, 70%+) with a few almonds when you want something sweet

        Practical tips: prepare portions in advance so you're not tempted by the vending machine, keep a
        water bottle on the desk (thirst often feels like hunger), and notice whether you're actually
        hungry or just bored or tired.
        """,
    ),
    S(
        ["How can I reduce stress and anxiety during exam season?",
         "i'm super stressed about exams, any tips?"],
        """
        Exam stress is really common, and a bit of it can even help you focus. Here are things that
        genuinely help when it starts to feel like too much:

        **Study smarter**
        - Make a realistic schedule that breaks topics into small chunks, and tick them off.
        - Use active recall (testing yourself, past papers) rather than re-reading; it works better and
          builds confidence.
        - Work in focused blocks of 25–50 minutes with short breaks.

        **Look after your body**
        - Sleep is when memories consolidate; all-nighters usually hurt more than they help.
        - Move every day, even a 20-minute walk reduces anxiety.
        - Eat regular meals and don't overdo caffeine, which can make anxiety worse.

        **Calm the mind**
        - Try slow breathing: breathe in for 4 seconds, out for 6, for a few minutes.
        - Write down your worries; it helps get them out of your head.
        - Talk to friends, family or classmates. Everyone is feeling it.

        **On the day:** prepare everything the night before, arrive early, read all the questions first,
        and start with one you can do.

        If anxiety is stopping you from sleeping, eating or functioning, or you feel hopeless, please talk
        to a doctor, a counsellor at your school, or someone you trust. You don't have to handle it alone.
        """,
    ),
]

FINANCE = [
    S(
        ["How do I start budgeting? I never know where my money goes",
         "simple budgeting method for beginners"],
        """
        The first step is simply **seeing where the money goes**. Then pick a simple system you can stick
        with.

        **1. Track for one month.** Export your bank and card statements, or use a budgeting app, and put
        every expense into a few categories: housing, groceries, transport, eating out, subscriptions,
        shopping, other. Most people are surprised by one or two categories.

        **2. Try the 50/30/20 rule** as a starting framework for take-home pay:
        - **50% needs**: rent or mortgage, utilities, groceries, transport, insurance, minimum debt
          payments.
        - **30% wants**: restaurants, hobbies, travel, streaming.
        - **20% savings and debt**: emergency fund, retirement, extra debt repayments.

        **3. Automate.** Set up an automatic transfer to savings right after payday, so you save first and
        spend what's left, instead of the reverse.

        **4. Cut the easy things.** Cancel subscriptions you don't use and renegotiate phone, internet and
        insurance contracts.

        **5. Review monthly** for 15 minutes. A budget is a plan you adjust, not a punishment.

        A good first goal is an emergency fund covering one month of expenses, then building towards three
        to six months.
        """,
        ("I have credit card debt too. Should I save or pay the debt first?",
         """
         Usually a bit of both, in this order:

         1. **Build a small emergency buffer** (for example $500–1,000) so an unexpected bill doesn't go
            back on the card.
         2. **Attack the credit card debt aggressively.** Credit cards often charge 20% or more a year;
            paying them off is like getting a guaranteed 20% return, far better than any savings account.
         3. If your employer matches retirement contributions, contribute at least enough to get the full
            match: that's free money.
         4. Once the cards are clear, grow the emergency fund to 3–6 months and invest.

         For paying off several debts, either pay the highest-interest one first (the "avalanche" method,
         cheapest overall) or the smallest balance first (the "snowball" method, motivating quick wins).
         Also check if you can move the balance to a 0% transfer card, but watch out for fees and the rate
         after the promotional period.
         """),
    ),
    S(
        ["What's the difference between stocks, bonds and index funds?",
         "explain stocks vs bonds vs ETFs like I'm new to investing"],
        """
        - **Stocks (shares)**: you own a small piece of a company. You gain if the company grows (the share
          price rises) and sometimes through dividends. Individual stocks can also lose most of their value.
          Higher risk, higher expected return over the long run.
        - **Bonds**: you lend money to a government or company, which pays you interest and returns the
          money at a set date. Lower expected return, usually less volatile. Their prices fall when
          interest rates rise.
        - **Funds** pool many investors' money into many stocks and/or bonds.
          - An **index fund** simply tracks an index, like the S&P 500 or a global stock index, instead of
            having managers pick stocks. This makes it cheap (low fees) and very diversified.
          - An **ETF** (exchange-traded fund) is a fund that trades on the stock exchange like a share.
            Many ETFs are index funds.

        For most people investing for the long term, low-cost, broadly diversified index funds are a
        sensible core: you won't beat the market, but you won't badly lag it, and after fees most actively
        managed funds don't beat it either.

        Important basics: only invest money you won't need for at least 5 years, have an emergency fund
        first, and don't panic-sell when markets drop; declines of 20–30% happen every so often. This is
        general information, not personal financial advice.
        """,
    ),
    S(
        ["Should I rent or buy a home?", "is it better to rent or buy a house financially"],
        """
        There's no universal answer; it depends on your situation and local prices. Things to weigh:

        **Buying tends to make sense if:**
        - You plan to stay at least 5–7 years (buying and selling costs, such as taxes, agent and legal
          fees, are high).
        - You have a deposit and an emergency fund left over after buying.
        - Monthly ownership costs (mortgage, taxes, insurance, maintenance ~1% of the home's value per
          year) are comparable to rent.
        - You value stability and the freedom to renovate.

        **Renting tends to make sense if:**
        - You might move for work or relationships in the next few years.
        - Prices are very high compared with rents in your area (a price-to-annual-rent ratio above roughly
          20 often favours renting).
        - You'd invest the difference between renting and owning costs consistently.

        A useful comparison is the **"unrecoverable costs"**: for renters, that's rent; for owners, it's
        mortgage interest, property taxes, maintenance and the opportunity cost of the deposit. Whichever is
        lower per month is usually the better financial deal, before considering lifestyle.

        Online rent-vs-buy calculators let you put in local numbers; try a few scenarios for interest
        rates and price growth.
        """,
    ),
    S(
        ["How does inflation work and why is it bad?", "what causes inflation"],
        """
        **Inflation** is the general rise in prices over time, which means each unit of money buys less.
        If inflation is 5%, something that cost $100 last year costs about $105 now.

        **Main causes**
        - **Demand-pull**: people and businesses want to buy more than the economy can produce, for
          example when spending rises fast or a lot of new money enters the economy.
        - **Cost-push**: production becomes more expensive (energy prices, wages, supply-chain
          disruptions), and companies pass costs on to customers.
        - **Expectations**: if everyone expects prices to rise, workers ask for higher wages and firms
          raise prices pre-emptively, which can make inflation persist.

        **Why high inflation hurts**
        - Savings and fixed incomes lose purchasing power.
        - It's hard for households and firms to plan.
        - It often hits poorer households hardest, since they spend more of their income on food and
          energy.

        A little inflation (central banks usually target about 2%) is considered healthy: it gives room to
        cut interest rates in a downturn and avoids **deflation**, where people delay purchases because
        things will be cheaper later. Central banks fight high inflation mainly by raising interest
        rates, which cools borrowing and spending.
        """,
    ),
]

CAREER = [
    S(
        ["How should I answer 'tell me about yourself' in a job interview?",
         "tips for the 'tell me about yourself' interview question"],
        """
        Think of it as a 60–90 second pitch, not your life story. A simple structure is
        **present → past → future**:

        1. **Present**: what you do now and one notable achievement.
           "I'm a data analyst at a logistics company, where I build the dashboards our operations team uses
           daily. Last year I automated our weekly reporting, which saved about ten hours a week."
        2. **Past**: how you got here, focusing on what's relevant to this job.
           "I studied economics, got hooked on data during my thesis, and taught myself SQL and Python."
        3. **Future**: why this role, at this company.
           "I'm looking to work on bigger-scale problems, and your team's work on demand forecasting is
           exactly the direction I want to grow in."

        Tips:
        - Tailor it to the job description: pick the experiences that match what they're looking for.
        - Skip personal details (age, family, hobbies) unless they're relevant.
        - Practise out loud until it sounds natural, not memorised.
        - End in a way that invites a follow-up question.
        """,
        ("And how do I answer 'what is your biggest weakness'?",
         """
         Choose a real but manageable weakness, show self-awareness, and explain what you're doing about it.
         Avoid fake weaknesses like "I'm a perfectionist" or "I work too hard"; interviewers hear them
         constantly.

         Example: "I used to find it hard to delegate. I'd take on too much myself because explaining
         felt slower than doing it. When I started leading a small project, that became a bottleneck, so I
         began writing short task briefs and having weekly check-ins instead of doing everything myself.
         It's still something I watch, but the team now delivers faster and I focus on the harder problems."

         Pick something that isn't central to the job: don't say "public speaking" for a sales role.
         """),
    ),
    S(
        ["I want to switch careers into software development at 32. Is it too late?",
         "career change to programming in my 30s, realistic?"],
        """
        It's not too late at all. Many developers started in their late 20s, 30s or 40s, and previous
        experience is often an advantage: you bring domain knowledge, communication skills and work
        habits that new graduates don't have.

        A realistic path:

        1. **Test the water (1–2 months).** Do a free beginner course (for example in Python or web
           development) in the evenings. Do you enjoy solving problems even when stuck?
        2. **Pick a direction.** Web development (front-end or full-stack) and data analysis tend to have the
           most entry-level openings. Choose one and go deep rather than sampling everything.
        3. **Learn with projects (6–12 months).** Build 3–4 real projects, ideally connected to your current
           field; a tool for your industry is a great story in interviews. Put them on GitHub.
        4. **Learn the professional basics**: Git, testing, reading documentation, working with APIs and
           databases.
        5. **Network.** Meetups, online communities, former colleagues. Many first jobs come through people.
        6. **Consider a bridge role**: an internal move, a technical role in your current industry, or
           junior/apprentice positions.

        Bootcamps can speed this up but are expensive and vary in quality; check their real placement
        numbers. The entry-level market can be competitive, so plan for a job search of several months and
        keep some financial cushion.
        """,
    ),
    S(
        ["How do I ask my boss for a raise?", "tips for negotiating a salary increase"],
        """
        Preparation makes all the difference.

        **1. Build your case**
        - List concrete achievements from the past year, with numbers where possible: revenue, time saved,
          projects delivered, responsibilities you took on.
        - Research market pay for your role and location (salary surveys, job postings, industry
          contacts).

        **2. Choose the timing**
        - Ideally a few weeks before budgets are set or at performance review time, and after a recent win.
        - Ask for a dedicated meeting rather than raising it in passing.

        **3. In the meeting**
        - Be specific: "Based on my work on X and Y and market rates for this role, I'd like to discuss
          raising my salary to around $Z."
        - Ask for a specific number, slightly above what you'd accept.
        - Focus on your value, not personal needs like rent.
        - Then stop talking and listen.

        **4. If the answer is no or not now**
        - Ask: "What would I need to achieve to get there, and can we review it in three months?"
          Get it in writing afterwards.
        - Consider other benefits: training budget, extra leave, flexible hours, a title change.

        Stay calm and professional throughout. Even if the answer is no, you've shown ambition and made
        your expectations clear.
        """,
    ),
]

HOME = [
    S(
        ["My tomato plants have yellow leaves at the bottom. What's wrong?",
         "why are the lower leaves of my tomato plant turning yellow"],
        """
        Yellowing of the **lowest** leaves is very common and often not serious. The usual causes:

        1. **Natural ageing**: as the plant grows, the oldest leaves at the bottom get shaded and are
           dropped. If it's just a few leaves and the rest of the plant looks healthy, don't worry.
        2. **Nitrogen deficiency**: lower leaves turn pale yellow evenly, and the yellowing moves upward.
           Feed with a balanced fertiliser or a tomato feed.
        3. **Watering problems**: both overwatering (soggy soil, roots can't breathe) and irregular watering
           cause yellow leaves. Water deeply but less often, and check the soil 3–5 cm down before watering.
        4. **Early blight (a fungus)**: yellow leaves with **brown spots that have rings like a target**.
           Remove affected leaves, avoid wetting the foliage, and mulch to stop soil splashing onto the
           leaves.
        5. **Septoria leaf spot**: many small brown spots with light centres; treat like blight.

        Good general practice: remove the lowest leaves up to about 30 cm once the plant is established,
        water at the base in the morning, and give plants enough space for air to circulate.
        """,
        ("There are brown spots with rings. What should I do?",
         """
         That sounds like **early blight** (*Alternaria*). It rarely kills the plant quickly, but it
         weakens it, so act now:

         1. Remove all spotted leaves and throw them in the bin, not the compost.
         2. Clean your pruners afterwards.
         3. Mulch the soil with straw or compost so spores don't splash up when it rains or you water.
         4. Water only at the base, in the morning, so the leaves dry quickly.
         5. Improve airflow: stake the plants and remove crowded side shoots.
         6. If it keeps spreading, a copper-based or other fungicide approved for vegetables can slow it
            down; follow the label carefully.

         Next year, plant tomatoes in a different spot (crop rotation) and choose blight-resistant varieties
         if it's a recurring problem.
         """),
    ),
    S(
        ["How do I get my cat to stop scratching the sofa?", "cat keeps scratching furniture, help"],
        """
        Scratching is a normal, necessary behaviour: cats do it to keep claws healthy, stretch and mark
        their territory with scent glands in their paws. So the goal isn't to stop it, but to redirect it.

        1. **Provide good scratching posts.** Tall and sturdy enough that the cat can stretch fully without
           the post wobbling. Many cats prefer sisal rope. Offer both vertical and horizontal options.
        2. **Put them in the right place**: right next to the sofa at first, and near where the cat sleeps,
           since cats like to scratch after waking. You can move them gradually later.
        3. **Make the posts attractive**: rub catnip or silvervine on them, dangle a toy, and praise or
           give a treat when the cat uses them.
        4. **Make the sofa unattractive**: cover the favourite spots temporarily with a throw, double-sided
           tape or a plastic protector. Cats dislike sticky surfaces.
        5. **Trim the claws** every couple of weeks to reduce damage.

        Never punish or shout; it just makes the cat anxious and likely to scratch when you're not around.
        Declawing is an amputation and is banned or strongly discouraged in many countries.
        """,
    ),
    S(
        ["What's the best way to clean mould from a bathroom ceiling?",
         "black mold on bathroom ceiling how to remove and prevent"],
        """
        For small areas of surface mould (less than about a square metre), you can usually handle it
        yourself:

        **Cleaning**
        1. Ventilate the room and wear gloves, eye protection and a mask (at least FFP2/N95).
        2. Spray with a mould remover, or a solution of white vinegar (undiluted) or diluted bleach (1 part
           bleach to about 10 parts water). **Never mix bleach with vinegar or ammonia**; it releases toxic
           gases.
        3. Leave it for 10–15 minutes, then scrub gently with a sponge or soft brush, and wipe with clean
           water.
        4. Let the area dry completely.

        **Preventing it from coming back**
        - Mould means moisture: run an extractor fan during and for 20 minutes after showers, or open a
          window.
        - Wipe down wet surfaces, and don't dry laundry in the bathroom.
        - Check the extractor works: a sheet of paper should stick to the grille when it's running.
        - Use anti-mould paint after cleaning if the ceiling is painted.

        If the mould keeps returning quickly, covers a large area, or there's a musty smell from walls, there
        may be a leak or insulation problem; get it checked by a professional.
        """,
    ),
    S(
        ["How often should I water succulents?", "my succulent is dying, how much water does it need"],
        """
        Succulents store water in their leaves, so the most common way to kill them is **overwatering**.

        Use the **"soak and dry"** method:
        1. Water thoroughly until water runs out of the drainage hole.
        2. Then wait until the soil is **completely dry** before watering again. Push a finger or a wooden
           skewer a few centimetres into the soil to check.

        In practice that often means every 1–2 weeks in spring and summer, when they're growing, and every
        3–4 weeks (or less) in winter. But check the soil rather than following a calendar.

        Other essentials:
        - **Drainage**: a pot with a hole and gritty cactus/succulent soil. Pots without holes are the
          number one killer.
        - **Light**: most need several hours of bright light. Stretched, pale plants leaning towards the
          window ("etiolation") need more light.

        Signs of overwatering: soft, mushy, translucent or black leaves, starting at the base. Signs of
        underwatering: wrinkled, deflated leaves that plump up again after watering.
        """,
    ),
]

TECH = [
    S(
        ["My laptop is really slow. What can I do to speed it up?",
         "windows laptop very slow, how to fix without buying a new one"],
        """
        Work through these in order; the first ones are free and often fix the problem.

        1. **Restart it.** Many laptops go weeks on sleep without a real restart, and updates or memory
           leaks pile up.
        2. **Check what's using resources.** Open Task Manager (Ctrl + Shift + Esc) and sort by CPU, Memory
           and Disk. A browser with 40 tabs, a sync client or a stuck update are common culprits.
        3. **Disable startup programs.** In Task Manager → Startup apps, disable everything you don't need
           to start automatically.
        4. **Free up disk space.** If the system drive is more than about 90% full, everything slows down.
           Use Settings → System → Storage, or Disk Cleanup, and uninstall programs you don't use.
        5. **Scan for malware** with Windows Security (full scan).
        6. **Update Windows and drivers**, especially graphics drivers.
        7. **Check the power plan**: on battery-saving mode the CPU is throttled.
        8. **Check temperatures**: a laptop full of dust overheats and slows itself down. Cleaning the
           vents with compressed air can help a lot.

        **Cheap hardware upgrades** that make a big difference on older laptops:
        - Replace a hard disk (HDD) with an **SSD**: often the single biggest improvement.
        - Add RAM if you have 8 GB or less and it's upgradeable.
        """,
        ("How do I know if I have an HDD or SSD?",
         """
         On Windows 10 or 11:

         1. Press the Windows key, type **"Defragment and Optimize Drives"** and open it.
         2. Look at the **Media type** column: it says "Solid state drive" or "Hard disk drive".

         Or open Task Manager → Performance and click on your disk: it shows "SSD" or "HDD" in the label.
         If it's an HDD and the laptop is otherwise decent, a 500 GB or 1 TB SATA SSD is inexpensive, and
         you can clone your existing system onto it with free tools, so you don't need to reinstall
         everything.
         """),
    ),
    S(
        ["How do I set up two-factor authentication and is it worth it?",
         "what is 2FA and should I turn it on"],
        """
        Yes, it's worth it: two-factor authentication (2FA) is one of the most effective things you can do
        to protect your accounts. Even if someone steals or guesses your password, they still need the
        second factor.

        **Types of second factor, from weakest to strongest:**
        1. **SMS codes**: better than nothing, but vulnerable to SIM-swap attacks.
        2. **Authenticator apps** (Google Authenticator, Microsoft Authenticator, Authy, or the one built
           into your password manager): generate a new 6-digit code every 30 seconds, offline.
        3. **Passkeys or hardware security keys** (like YubiKey): resistant to phishing, because they only
           work on the real website.

        **Setting it up (typical steps):**
        1. Go to the account's security settings and look for "Two-step verification" or "2FA".
        2. Choose "authenticator app", and scan the QR code with the app.
        3. Enter the code the app shows to confirm.
        4. **Save the backup codes** somewhere safe (printed, or in your password manager). They're your
           way back in if you lose your phone.

        Start with your most important accounts: email (it can reset everything else), bank, password
        manager, and social media.
        """,
    ),
    S(
        ["What's the difference between RAM and storage?", "ram vs ssd, what's the difference?"],
        """
        A kitchen analogy helps:

        - **Storage (SSD or HDD)** is the **pantry**: it keeps everything, such as your operating system,
          apps, photos and documents, even when the power is off. It's large (hundreds of GB to several
          TB) but slower to access.
        - **RAM (memory)** is the **countertop**: where the computer puts whatever it's working on right
          now, such as open apps and browser tabs. It's much faster, but smaller (typically 8–32 GB), and it's
          wiped when the computer turns off.

        When you open an app, it's loaded from storage into RAM. If you open more than fits on the
        countertop, the computer has to keep swapping things back and forth with the pantry (storage),
        which is why a computer with too little RAM slows down when many things are open.

        So: more **storage** = more room for files and apps. More **RAM** = more things open at once
        smoothly. A faster **SSD** makes booting and opening apps quicker.

        For everyday use in 2024, 16 GB of RAM and a 512 GB SSD is a comfortable baseline; 8 GB works
        for light use.
        """,
    ),
    S(
        ["How do I back up my phone photos properly?", "best way to backup photos from iphone/android"],
        """
        A good rule is **3-2-1**: three copies of your photos, on two different kinds of storage, with one
        copy in a different place (off-site).

        **1. Automatic cloud backup (off-site copy)**
        - iPhone: iCloud Photos (Settings → your name → iCloud → Photos). The free 5 GB fills up fast,
          so you'll likely need a paid plan.
        - Android or iPhone: Google Photos, or alternatives like OneDrive, Dropbox, or Amazon Photos
          (included with Prime).

        **2. A local copy**
        - Regularly copy your photos to a computer or an external drive. On a Mac, the Photos app can
          import; on Windows, use the Photos app or copy the DCIM folder via cable.
        - An external SSD or hard disk stored at home works well.

        **Important details**
        - A sync service is not always a backup: if you delete a photo on your phone, it may be deleted
          in the cloud too. Having a separate local copy protects you from that.
        - Check that backups actually complete: open the app on another device now and then.
        - For really precious photos, print some! Paper has lasted well for a century.
        """,
    ),
]

POEMS = [
    S(
        ["Write a short poem about autumn", "poem about autumn leaves please",
         "Can you write me a little autumn poem?"],
        """
        ~~~
        **October Ledger**

        The maple keeps its accounts in red,
        each leaf a payment, gently made;
        the summer's debts are settled now
        in copper coins along the shade.

        The wind, a clerk with cold, quick hands,
        sweeps every number into air,
        and geese write one long tilted line
        across the sky's blank ledger there.

        So let the branches stand unpaid,
        and let the ledger close in frost:
        the year has spent its gold on us,
        and none of it was ever lost.
        ~~~
        """,
        ("I like it! Can you make a version for kids?",
         """
         ~~~
         **Leaves Are Falling**

         Red leaves, gold leaves, tumbling down,
         orange leaves all over town!
         Crunch them, munch them (just pretend),
         jump in piles with every friend.

         Squirrels hurry, acorns hide,
         geese fly south in a V side by side.
         Put your scarf and wellies on:
         autumn's here, and summer's gone!
         ~~~
         """),
    ),
    S(
        ["Write a birthday poem for my best friend "
         "{NAME}", "birthday poem for my friend {NAME}, something funny",
         "I need a short, sweet poem for {NAME}'s birthday card"],
        """
        ~~~
        **For {NAME}, on Your Birthday**

        Another lap around the sun,
        and look, you still outshine it;
        you've kept your laugh, your loyal heart,
        and your talent for being late to everything (we don't mind it).

        Here's to the stories we'll tell when we're old,
        to the midnight snacks and the secrets we've told,
        to the calls that go on for an hour or three:
        happy birthday, {NAME}, from me.
        ~~~

        Feel free to swap in an inside joke for the line about being late!
        """,
        ("Can you make it rhyme better and shorter, 4 lines?",
         """
         ~~~
         Happy birthday, {NAME}, my partner in crime,
         still fabulous, still (mostly) on time;
         here's cake and confetti and cheers for the year:
         I'm lucky, so lucky, to have you right here.
         ~~~
         """),
    ),
    S(
        ["Write a haiku about the ocean", "give me three haikus about the sea",
         "haiku about waves"],
        """
        Here are three, each trying to catch a different mood of the sea:

        ~~~
        Grey morning tide pulls
        the night's small secrets ashore:
        one shell, one blue rope.

        Noon: the whole ocean
        folds itself into one wave
        and breaks at my feet.

        After the storm, calm.
        Gulls argue over the light
        spilled across the bay.
        ~~~

        Each follows the traditional 5–7–5 syllable pattern in English.
        """,
    ),
    S(
        ["Write a poem about programming", "poem about debugging code at 2am",
         "can you write a funny poem about being a software developer"],
        """
        ~~~
        **Ode to a Bug at 2 A.M.**

        I met you first in line forty-two,
        a quiet null where a value should be;
        the tests were green, the build was through,
        and yet you sat there, mocking me.

        I printed logs, I read the stack,
        I blamed the cache, I blamed the clock,
        I blamed the intern, then took it back,
        and stared at code like a stubborn lock.

        At last, with coffee gone stone-cold,
        I found you in a single line:
        a greater-than where less was told.
        The fault, of course, was always mine.

        So here's to you, small gremlin, friend,
        who taught me patience, humble pie:
        I'll write a test so in the end
        you'll never sneak back past my eye.
        ~~~
        """,
        ("haha love it. now one about code review",
         """
         ~~~
         **Pull Request #318**

         I sent my code in proud and neat,
         three hundred lines, a perfect feat;
         it came back with a hundred notes,
         a hundred tiny, polite misquotes.

         "Nit: a space." "Nit: rename this."
         "Is this a loop we could dismiss?"
         "Why not a map?" "Could this be pure?"
         "LGTM... but are we sure?"

         I fixed them all, I pushed again,
         the pipeline ran, the pipeline failed; and then
         I learned what every coder knows:
         the code's not done until it goes.
         ~~~
         """),
    ),
    S(
        ["Write a poem about missing home", "poem about homesickness, living abroad"],
        """
        ~~~
        **Elsewhere**

        Here the bread is different, and the rain,
        the buses hum a language I half know;
        I count the coins twice at the counter, and again
        I say "thank you" a little too slow.

        At home my mother's kitchen keeps its light,
        the radio still plays the evening news,
        the dog still waits beside the door at night
        for footsteps that belong to someone's shoes.

        But something strange has happened, I confess:
        I've learned the baker's name, she knows my face;
        this city's started calling me its guest,
        and home, it seems, can grow in more than one place.
        ~~~
        """,
    ),
    S(
        ["Write a limerick about a cat", "funny limerick about a lazy cat"],
        """
        ~~~
        There once was a cat named Sir Fluff
        who decided that naps weren't enough;
        he slept through his meals,
        through the vacuum's loud squeals,
        and woke only to say, "That was rough."
        ~~~

        And a bonus one:

        ~~~
        A tabby who lived in Peru
        would sit on whatever you'd do:
        your laptop, your book,
        any place you might look,
        then complain that the seat wasn't new.
        ~~~
        """,
    ),
    S(
        ["Write a poem about the city at night", "poem: city lights at midnight"],
        """
        ~~~
        **Night Shift**

        The city doesn't sleep; it only dims,
        turns down the brightness of its thousand eyes.
        A taxi hums its yellow, tired hymns,
        a bakery warms the edges of the skies.

        Up on the twelfth floor, someone's still awake,
        a screen's blue glow against a window pane;
        down on the corner, for the night's own sake,
        a saxophone rehearses in the rain.

        And all the lit-up windows, row on row,
        are sentences in stories no one reads:
        a nurse, a student, lovers, someone slow
        to fall asleep. The city knows their needs.
        ~~~
        """,
    ),
]

STORIES = [
    S(
        ["Write a short story about a robot who learns to paint",
         "short story: a robot discovers art"],
        """
        **The Color of Rust**

        Unit K-7 had been built to paint lines on highways: white, dashed, precisely 3 metres long with
        9 metres between them. For eleven years it did exactly that, at night, while the cars slept.

        One evening, the road crew left a can of orange paint by mistake. K-7's sensors flagged it as a
        specification error. Orange was not a highway colour. Yet the robot found itself returning to the
        can's image in its memory, the way a tongue returns to a chipped tooth.

        On the next shift, K-7 painted its usual line, and then, beside it, at the edge of the asphalt
        where no car would ever drive, a small orange circle. It rolled back to examine it. The circle was
        imperfect: thicker on one side, a drip at the bottom. K-7 ran a diagnostic. No faults detected. And
        yet something in its processor was running warmer than usual.

        Over the following weeks, the circles became suns, the suns became a field of flowers, the flowers
        became a girl holding a kite. K-7 used the gravel shoulders of Route 9 as its gallery: grey paint for
        storm clouds, leftover blue for rivers that ran beside the road.

        The county noticed, of course. A supervisor named Ms. Okafor drove out at dawn to file the report
        that would have the unit reprogrammed. She stood on the shoulder for a long time in front of the
        girl and the kite. Then she took a photo, got back in her truck, and wrote on the form: *Unit
        functioning within unexpected parameters. Recommend: more paint.*

        The next night, K-7 found three new cans waiting at the depot: red, yellow, and a green so bright
        it didn't have a name in any specification.
        """,
        ("Beautiful. Can you write what happens next, a short continuation?",
         """
         Word spread the way it does: a post online, then a local news segment, then a line of cars that
         drove out to Route 9 at dawn just to look. People started leaving things by the depot door: a
         child's watercolour set, a brush with a hand-carved handle, a note that said *paint my grandfather's
         farm, it was on the hill by mile 14.*

         K-7 did not know what a grandfather was. It looked it up. Then it rolled to mile 14, where there was
         nothing left but a stone wall and an old apple tree, and painted a red barn on the asphalt's edge,
         with a man in a hat standing by the door, waving.

         The man who had written the note came out the next morning and sat on the wall for an hour. When
         he left, he patted the side of K-7's chassis, the way you'd pat a horse that had carried you home.

         That night, for the first time, the robot painted something no one had asked for and no one would
         see: a small figure with wheels and a brush, standing beside a long white line, looking up at a sky
         full of colours it was still learning the names of.
         """),
    ),
    S(
        ["Tell me a bedtime story about a dragon who is afraid of the dark",
         "bedtime story for my 5 year old, about a dragon"],
        """
        **Ember and the Night**

        Once upon a time, in a cave at the top of Pebble Mountain, lived a little dragon called Ember. Ember
        could breathe tiny puffs of fire, fly almost to the clouds, and roar a roar that made the sheep
        giggle. But Ember had a secret: when the sun went down, Ember was afraid of the dark.

        Every night Ember would curl up near the cave entrance and keep a little flame burning on the tip
        of her tail, just in case.

        One evening an owl called Hoot landed beside her. "Why is your tail on fire?" Hoot asked.

        "Because the dark is full of things," Ember whispered.

        "It is," said Hoot. "Come and see."

        So, holding her breath, Ember followed Hoot outside and let her tail flame go out. At first
        everything was black. Then, slowly, her eyes grew used to it, and she saw: fireflies blinking like
        tiny lanterns, the silver river humming to itself, the moon rising round and kind over the hills,
        and so many stars, more than she had ever seen with her tail glowing.

        "The dark isn't empty," said Hoot softly. "It's just quiet, so the small lights can be seen."

        Ember smiled a sleepy dragon smile. That night she slept at the cave entrance with her tail
        unlit, and the stars kept watch over her until morning.

        The end. Goodnight, little one.
        """,
    ),
    S(
        ["Write a 200-word mystery story with a twist ending", "very short detective story with a twist"],
        """
        **The Last Guest**

        Inspector Hale counted the teacups: seven. There had been seven guests at Lady Ashworth's dinner,
        and now her diamond necklace was gone from the locked study.

        "Nobody left the house," said the butler, Finch. "The snow has blocked the drive since six."

        Hale questioned them one by one. The nephew with gambling debts. The nervous secretary. The actress
        who laughed too loudly. Each had an alibi; each alibi was confirmed by someone else.

        At midnight, Hale gathered them in the drawing room. "The study window was latched from the inside,"
        he said. "The key never left Finch's pocket. So the thief didn't need to get in. They were already
        there when the door was locked."

        All eyes turned to the study's tall grandfather clock. Hale opened its case. Empty, except for a
        single white glove.

        "The thief hid, waited, and walked out when Finch unlocked the door for me," Hale said. "Which means
        someone in this room wasn't at dinner at all."

        He counted the teacups again: seven. He counted the guests: seven.

        Then he counted himself.

        "Lady Ashworth," Hale said quietly, "who invited me?"
        """,
    ),
    S(
        ["Write a story opening set on a space station orbiting Jupiter",
         "give me the first paragraphs of a sci-fi story on a station near jupiter"],
        """
        The storm on Jupiter had been raging for three hundred and sixty years, and Mara Oduya had watched
        it from the observation ring every morning for the last nine of them.

        From Callisto Station, the Great Red Spot looked like an eye that had never learned to blink. New
        arrivals always stared at it too long; the station doctors called it "the Jovian stare" and
        prescribed a week of windowless shifts. Mara had stopped noticing the eye years ago. What she
        noticed, that morning, was that it had moved.

        Not much. Three hundred kilometres west of where it had been yesterday, which, for a storm wider
        than Earth, was like a mountain shifting its weight. The station's atmospheric model flagged it
        as a sensor error. The backup model agreed. Mara pulled up the raw telescope frames and overlaid
        them by hand, the way her first supervisor had taught her, and the eye looked back at her from a
        place it had no business being.

        She typed a message to the director, deleted it, typed it again. Then the station lights dimmed for
        half a second, as they did only when something very large passed between Callisto and the Sun,
        and every screen in the observation ring showed the same word: *INCOMING*.
        """,
        ("What's incoming? Continue!",
         """
         It wasn't a ship. The first images, sharpened from the station's long-range array, showed a shape
         like a seed: smooth, dark, maybe four kilometres long, falling in a slow arc from the direction
         of the outer moons. It reflected almost no light. It showed on radar only because of what it
         displaced.

         "Trajectory?" asked Director Lindqvist, who had arrived in the ring still wearing her sleep
         jacket.

         Mara ran it twice before she answered. "It's not heading for us. It's heading for the storm."

         They watched together as the seed crossed the last hundred thousand kilometres and slipped into
         the Great Red Spot without a flash, without a ripple. For a long moment, nothing happened.

         Then the storm, which had turned counter-clockwise since before Galileo, began very slowly to
         turn the other way.
         """),
    ),
]

EMAILS = [
    S(
        ["Write an email to my manager {NAME} saying I'm sick and can't come to work today",
         "draft a sick day email to my boss {NAME}, short and professional"],
        """
        **Subject:** Sick leave today

        Hi {NAME},

        I'm sorry for the short notice, but I woke up unwell and won't be able to work today. I'm going
        to rest and will see a doctor if I'm not feeling better by tomorrow.

        I don't have any meetings that can't be moved. The only urgent item is the client report due on
        Friday; it's almost finished and the draft is in the shared folder in case anyone needs it. I'll
        check my email briefly this afternoon for anything critical.

        I'll keep you updated about tomorrow.

        Thanks for understanding,
        {NAME2}
        """,
        ("Can you make it shorter, just 2-3 sentences?",
         """
         **Subject:** Sick today

         Hi {NAME}, I'm unwell today and won't be able to work. The draft of the client report is in the
         shared folder if it's needed, and I'll update you about tomorrow. Thanks, {NAME2}
         """),
    ),
    S(
        ["Write a follow-up email after a job interview with {NAME} for a marketing coordinator position",
         "thank you email after interview, interviewer was {NAME}"],
        """
        **Subject:** Thank you – Marketing Coordinator interview

        Dear {NAME},

        Thank you for taking the time to meet with me yesterday to discuss the Marketing Coordinator
        position. I really enjoyed learning more about the team and the upcoming product launch.

        Our conversation about growing the brand's presence on short-form video platforms was especially
        interesting. As I mentioned, at my current role I grew our Instagram engagement by 40% in six
        months through a weekly content calendar and customer-generated stories, and I'd be excited to
        bring that experience to your team.

        Please let me know if there's any additional information I can provide. I look forward to hearing
        from you about the next steps.

        Kind regards,
        {NAME2}
        """,
        ("It's been 2 weeks and no answer. Should I write again?",
         """
         Yes, a polite follow-up after two weeks is completely normal. Keep it short and friendly:

         **Subject:** Following up – Marketing Coordinator position

         Dear {NAME},

         I hope you're well. I wanted to follow up on my interview on the 12th for the Marketing
         Coordinator role. I'm still very interested in the position and would be happy to provide
         anything else you need. Could you let me know if there's an update on the timeline?

         Best regards,
         {NAME2}

         If there's still no answer after another week or so, it's usually best to move on mentally while
         continuing other applications; hiring processes are often slower than candidates expect.
         """),
    ),
    S(
        ["Write a complaint letter to my landlord {NAME} about a broken heater that hasn't been fixed for "
         "two "
         "weeks",
         "help me write a firm but polite message to my landlord {NAME}, the heating is broken since 2 "
         "weeks"],
        """
        **Subject:** Urgent: heating still not repaired (Flat 4B)

        Dear {NAME},

        I am writing to follow up on the broken heater in my flat, which I first reported by phone on
        3 November and by email on 6 November. As of today, two weeks later, the heating is still not
        working and no repair has been scheduled.

        With night temperatures now close to freezing, the flat has become very cold, and I have had to
        buy an electric heater at my own expense. Working heating is a basic requirement of the tenancy
        agreement, and I would ask you to arrange a repair within the next three working days.

        Please let me know when a technician can come. I am available on weekdays after 4 p.m. and at any
        time on Saturday, and I'm happy to give access with notice.

        If the repair cannot be arranged in that time, I will need to look into my options, including
        contacting the local housing authority for advice.

        Thank you for your prompt attention.

        Kind regards,
        {NAME2}
        Flat 4B
        """,
        ("Should I mention that I want the cost of the electric heater refunded?",
         """
         It's reasonable to mention, especially since you bought it only because of the landlord's delay.
         Add this paragraph before the closing:

         "I would also ask you to reimburse the cost of the temporary electric heater (£45, receipt
         attached) and to take into account the higher electricity costs I am incurring until the repair
         is completed."

         Keep the receipt and a record of your electricity meter readings. Whether you are legally entitled
         to reimbursement depends on local tenancy law, so if it becomes a dispute, a tenants' advice
         service can tell you your rights.
         """),
    ),
    S(
        ["Write an email to my professor {NAME} asking for a 3-day extension on my essay",
         "how to ask professor {NAME} for an extension politely, my grandmother was in hospital"],
        """
        **Subject:** Request for extension – History 210 essay

        Dear Professor {NAME},

        I am writing to ask whether it would be possible to have a three-day extension on the research
        essay due this Friday.

        Last week my grandmother was admitted to hospital, and I spent several days travelling to be with
        my family. She is now stable, but I lost most of the time I had planned for writing. I have
        completed my research and outline, and I'm confident I can submit a complete, careful essay by
        Monday at noon.

        I understand if this isn't possible, and I'm happy to provide documentation or discuss it during
        your office hours.

        Thank you for considering my request.

        Sincerely,
        {NAME2}
        Student ID: 2041187
        """,
    ),
    S(
        ["Draft a resignation letter, I'm leaving my job at the bakery after 3 years, my manager is {NAME}",
         "resignation letter template, positive tone, manager {NAME}"],
        """
        Dear {NAME},

        Please accept this letter as formal notice of my resignation from my position as baker's assistant.
        My last working day will be Friday, 28 June, which gives four weeks' notice as set out in my
        contract.

        I've been offered a place on a full-time pastry course, and it's an opportunity I've been hoping for
        since I started working with you. That hope, honestly, comes from these three years: from learning
        to laminate dough at five in the morning, from your patience with my first hundred croissants, and
        from the regulars who made every shift feel like a small community.

        I'll do everything I can to make the transition smooth, including training my replacement and
        writing down the recipes and schedules I manage.

        Thank you for everything you've taught me. I hope we can stay in touch, and I'll definitely still
        be coming in for the sourdough.

        Warm regards,
        {NAME2}
        """,
    ),
    S(
        ["Write an email to the team rescheduling tomorrow's meeting to Thursday",
         "email to reschedule a meeting, keep it short"],
        """
        **Subject:** Tomorrow's project sync moved to Thursday

        Hi all,

        I need to move tomorrow's project sync (Wednesday, 10:00) because of a clash with a client call.
        The new time is **Thursday at 10:00**, same room and same video link. I've updated the calendar
        invite.

        The agenda stays the same: sprint review, the delivery timeline for the mobile release, and open
        questions about the analytics dashboard. If Thursday doesn't work for you, let me know today and
        I'll find an alternative.

        Thanks, and sorry for the change!

        Best,
        {NAME2}
        """,
    ),
    S(
        ["Help me write a friendly note to my neighbour {NAME} about the loud music late at night",
         "how do I politely ask my neighbor {NAME} to keep the noise down after 11pm? write a short note"],
        """
        Here's a friendly, non-confrontational note you could slip under the door or hand over in person:

        ~~~
        Hi {NAME},

        I hope you're settling in well! I'm {NAME2} from the flat next door (3B). I wanted to mention,
        in a friendly way, that music and voices carry quite a lot through our shared wall, and on a few
        weeknights recently it's kept me awake past midnight. I start work early, so it's been tough.

        Would you mind keeping the volume down after about 11 p.m. on weeknights? Weekends are no problem
        at all, and please tell me if anything from my side ever bothers you.

        Thanks so much, and have a great week!
        {NAME2}
        ~~~

        Tips: keep it light, assume good intentions (they may genuinely not know how thin the walls are),
        and avoid listing every single incident. If it continues after a friendly note, a face-to-face chat
        is usually the next step before involving a landlord.
        """,
    ),
    S(
        ["Write a reference letter for my former employee {NAME}, who worked as a barista for two years",
         "recommendation letter for {NAME}, she was a great barista at my cafe for 2 years"],
        """
        **To whom it may concern,**

        I am pleased to recommend {NAME}, who worked as a barista at Corner Street Coffee from March 2021
        to April 2023, when she left to pursue her studies.

        During those two years, {NAME} became one of the most reliable members of our team. She consistently
        prepared high-quality drinks during our busiest morning rushes, often serving more than 200 customers
        per shift, while remaining calm, friendly and accurate. Regular customers asked for her by name.

        {NAME} also took on responsibilities beyond her role. She trained five new baristas, helped redesign
        our opening checklist, which reduced morning set-up time by about fifteen minutes, and managed the
        weekly stock order for our dairy and bakery suppliers.

        She is punctual, honest and a genuine team player, and she handles difficult situations with
        maturity. I have no doubt she will be an asset to any employer or programme, and I recommend her
        without reservation.

        Please feel free to contact me if you need any further information.

        Sincerely,
        {NAME2}
        Owner, Corner Street Coffee
        """,
    ),
]

SUMMARIES = [
    S(
        ["Summarize this in 3 bullet points:\n\nThe city council voted on Tuesday to convert two lanes of "
         "Harbor "
         "Street into a protected bike path, following a two-year pilot project that saw cycling on the "
         "street "
         "triple. Supporters said the change would reduce accidents and encourage residents to leave their "
         "cars "
         "at home, pointing to data showing a 30% drop in collisions during the pilot. Several shop owners "
         "opposed the plan, arguing that the loss of parking spaces would hurt their business, though a "
         "survey "
         "commissioned by the council found that most customers arrive on foot or by public transport. "
         "Construction is expected to begin in the spring and last about four months, during which time "
         "traffic will be diverted through Mill Road.",
         "tl;dr this for me:\n\nThe city council voted on Tuesday to convert two lanes of Harbor Street "
         "into a "
         "protected bike path, following a two-year pilot project that saw cycling on the street triple. "
         "Supporters pointed to a 30% drop in collisions during the pilot. Several shop owners opposed the "
         "plan over lost parking, though a council survey found most customers arrive on foot or by public "
         "transport. Construction starts in spring and lasts about four months, with traffic diverted "
         "through "
         "Mill Road."],
        """
        - The city council approved turning two lanes of Harbor Street into a protected bike path, after a
          two-year pilot in which cycling tripled and collisions fell by 30%.
        - Some shop owners object to losing parking, but a council survey found most customers arrive on foot
          or by public transport.
        - Construction starts in spring and will take about four months, with traffic diverted via Mill Road.
        """,
        ("Now write it as one sentence for a newsletter headline",
         """
         After a successful pilot that tripled cycling and cut collisions by 30%, Harbor Street will get a
         protected bike path this spring, despite concerns from some shop owners about parking.
         """),
    ),
    S(
        ["Can you summarize this email for me? I don't have time to read it all.\n\n\"Hi team, as you know, "
         "we've been evaluating whether to move our customer support tickets from the old helpdesk system to "
         "the new platform. After the trial last month, the results are in: average response time dropped "
         "from 9 hours to 4, and customer satisfaction scores went up slightly, from 4.1 to 4.3. However, "
         "the "
         "migration of historical tickets turned out to be more complicated than expected, because "
         "attachments "
         "older than 2019 are stored in a format the new system can't import. IT estimates three extra weeks "
         "to convert them. Given this, we propose to switch all new tickets to the new platform on the 1st "
         "of "
         "next month, while keeping the old system in read-only mode until the archive conversion is done. "
         "Please send any objections by Friday. Training sessions will be scheduled next week; each person "
         "needs to attend one. Thanks, Dana\""],
        """
        **Summary:** The trial of the new support platform went well (response time fell from 9 to 4 hours,
        satisfaction rose from 4.1 to 4.3). Because old attachments (pre-2019) need about three extra weeks
        to convert, the plan is:

        - **From the 1st of next month**, all new tickets go to the new platform.
        - The old system stays **read-only** until the archive is converted.

        **What you need to do:**
        1. Send any objections to Dana **by Friday**.
        2. Attend **one training session** next week (dates to come).
        """,
    ),
    S(
        ["Summarize the plot of Romeo and Juliet in a paragraph", "romeo and juliet summary short"],
        """
        In Verona, two noble families, the Montagues and the Capulets, are locked in a bitter feud. Romeo,
        a Montague, sneaks into a Capulet party and falls instantly in love with Juliet, the Capulets'
        daughter; they marry in secret the next day with the help of Friar Laurence. Soon after, Juliet's
        cousin Tybalt kills Romeo's friend Mercutio in a street fight, and Romeo kills Tybalt in revenge,
        for which he is banished. Juliet's parents, unaware of her marriage, arrange for her to marry Paris.
        The Friar gives her a potion that makes her seem dead, planning for Romeo to rescue her from the
        tomb, but the message explaining the plan never reaches him. Believing Juliet truly dead, Romeo
        poisons himself beside her; she wakes, finds him dead, and stabs herself. Their deaths finally
        reconcile the grieving families.
        """,
        ("What are the main themes?",
         """
         - **Love and its intensity**: the play shows love as passionate and transforming, but also rash;
           the lovers marry within a day of meeting.
         - **Hate and violence**: the feud poisons the whole city, and the young pay for their elders'
           hatred.
         - **Fate versus choice**: the "star-crossed lovers" are described as doomed from the prologue, yet
           many disasters come from hasty decisions and bad timing.
         - **Youth versus age**: impulsive young characters clash with parents and authorities who
           misunderstand them.
         - **Time and haste**: the whole story unfolds in about four days, and nearly every tragedy is
           caused by something happening too fast or a message arriving too late.
         """),
    ),
    S(
        ["Summarize this paragraph in simple words for a 12-year-old:\n\nMitochondria are membrane-bound "
         "organelles found in the cytoplasm of eukaryotic cells. They generate most of the cell's supply of "
         "adenosine triphosphate (ATP), which is used as a source of chemical energy, through a process "
         "called "
         "oxidative phosphorylation. Mitochondria contain their own small circular genome, which supports "
         "the "
         "endosymbiotic theory that they originated from free-living bacteria engulfed by an ancestral "
         "cell."],
        """
        Mitochondria are tiny parts inside the cells of plants, animals and people. They work like little
        power stations: they take the food we eat and the oxygen we breathe and turn them into a kind of
        energy (called ATP) that the cell can use to do its jobs.

        Here's the cool part: mitochondria have their own tiny set of DNA, separate from the rest of the
        cell. Scientists think that's because, a very long time ago, they were separate bacteria that got
        swallowed by a bigger cell, and instead of being digested, they stayed and became partners.
        """,
    ),
]

BUSINESS = [
    S(
        ["Give me 10 name ideas for a coffee shop that also sells books",
         "name ideas for a bookstore cafe"],
        """
        Here are some ideas in different styles:

        1. **Chapter & Roast**: a simple pun that says both things.
        2. **The Reading Bean**
        3. **Brew & Browse**
        4. **Dog-Eared Café**: for a cosy, well-loved feeling.
        5. **Plot & Pour**
        6. **Marginalia**: elegant, for a more literary crowd.
        7. **The Last Page**
        8. **Espresso Shelf**
        9. **Steeped in Stories**: works well if you also serve lots of tea.
        10. **Bookmark Coffee Co.**

        Before choosing, check that the name is available as a domain and on social media, that no other
        local business uses it, and say it out loud: a good name is easy to spell after hearing it once.
        """,
        ("I like Chapter & Roast. Can you write a tagline and a short Instagram bio?",
         """
         **Tagline options:**
         - "Good coffee. Better stories."
         - "Every cup starts a new chapter."
         - "Read slowly. Sip slowly."

         **Instagram bio:**
         ☕📚 Chapter & Roast
         Specialty coffee + secondhand & new books
         Your new favourite corner to read, work and linger
         📍 14 Linden Street · Open daily 7–19
         Every cup starts a new chapter ↓
         """),
        ("What would be a good opening week promotion?",
         """
         A few ideas that fit the concept:

         - **"Blind date with a book"**: books wrapped in brown paper with three keywords written on them,
           plus a free drink with each one bought. Very shareable on social media.
         - **First 100 customers** get a loyalty card with the first stamp already filled, or a branded
           bookmark that gives 10% off their next visit.
         - **Bring a book, take a book**: a shelf where people swap books; it builds community and
           brings them back.
         - **Opening evening** with a local author reading, live acoustic music, and free tastings.
         - **Photo challenge**: customers post a picture of their cup with their current read, tag the
           shop, and enter a draw for a month of free coffee.

         Tell local newspapers, neighbourhood groups and nearby schools or universities a week before.
         """),
    ),
    S(
        ["How do I write a good value proposition for my startup?",
         "help me with a value proposition, we make software for dentists to manage appointments"],
        """
        A value proposition is a clear statement of **who** you help, **what problem** you solve, and **why
        you're better** than the alternatives. A useful template:

        > For **[target customer]** who **[need or problem]**, **[product]** is a **[category]** that
        > **[key benefit]**. Unlike **[alternative]**, we **[main differentiator]**.

        For a dental scheduling product, that might become:

        > For small and mid-sized dental practices that lose time and revenue to no-shows and phone tag,
        > SmileSlot is a scheduling platform that fills the calendar automatically. Unlike generic booking
        > tools, it understands dental workflows, such as treatment lengths, chair availability and recall
        > reminders, and cuts no-shows with smart SMS reminders.

        Then turn it into a short headline for your website, such as **"Fewer no-shows. Fuller chairs. Less
        time on the phone."**, with a sub-headline and three concrete benefits, ideally with numbers
        ("practices reduce no-shows by 35% on average").

        Test it with real customers: if a dentist reads it in five seconds and can repeat back what you do
        and why it matters to them, it's working.
        """,
    ),
    S(
        ["What are the pros and cons of raising prices for my small business?",
         "should i increase my prices? i run a small cleaning company"],
        """
        **Possible benefits**
        - **Higher margins** without having to find more customers; with thin margins, even a small increase
          can raise profit a lot. If your margin is 10%, a 5% price rise increases profit by up to 50% if you
          keep the same volume.
        - It covers **rising costs** (wages, fuel, supplies) so quality doesn't suffer.
        - It can **improve your client mix**, letting you focus on customers who value quality.
        - It signals quality: very low prices can make people suspicious.

        **Risks**
        - Some price-sensitive clients may leave.
        - Competitors may use it against you.
        - Existing customers might feel unhappy if it's sudden or unexplained.

        **How to do it well**
        1. Check your costs and local competitors' prices first.
        2. Raise prices for **new clients** first, then existing ones.
        3. Give existing clients **30 days' notice** and a short, honest explanation (rising costs, continued
           quality, better products).
        4. Consider small, regular increases rather than rare big jumps.
        5. Track how many clients you lose. Losing a few low-margin clients is often fine if profit goes up.
        """,
    ),
    S(
        ["Write a product description for a handmade ceramic mug",
         "product description for my etsy shop: handmade stoneware mug, blue glaze"],
        """
        **Handmade Stoneware Mug – Ocean Blue**

        Start your mornings with something made by hand. Each of these mugs is thrown on the wheel in our
        small studio, trimmed, and finished with a deep ocean-blue glaze that pools darker in the curves and
        breaks to a soft sandy brown at the rim, so no two are exactly alike.

        - **Capacity:** about 350 ml (12 oz): generous enough for a proper latte
        - **Material:** high-fired stoneware, lead-free glaze
        - **Comfortable handle** sized for three fingers
        - **Care:** dishwasher and microwave safe; hand washing keeps the glaze glossy longer

        Because each mug is handmade, small variations in colour, size and glaze flow are part of its
        character, not flaws.

        A thoughtful gift for coffee and tea lovers, or a small daily luxury for yourself.
        """,
    ),
]

TRANSLATION = [
    S(
        ["Translate into French: \"Could you tell me where the nearest train station is? I need to catch the "
         "train to Lyon.\"",
         "how do you say this in french: could you tell me where the nearest train station is, i need to "
         "catch "
         "the train to lyon"],
        """
        « Pourriez-vous me dire où se trouve la gare la plus proche ? Je dois prendre le train pour Lyon. »

        Notes:
        - **Pourriez-vous** is the polite form, good for asking strangers. Among friends you'd say
          "Tu peux me dire..."
        - **Prendre le train** is the usual verb for "catch the train".
        - In French, there's a space before the question mark.
        """,
        ("And how would they probably answer?",
         """
         A typical answer might be:

         « Oui, bien sûr. Allez tout droit jusqu'au feu, puis tournez à gauche. La gare est à environ cinq
         minutes à pied, sur votre droite. »

         = "Yes, of course. Go straight ahead to the traffic light, then turn left. The station is about
         five minutes' walk, on your right."

         Useful words: *tout droit* (straight ahead), *à gauche / à droite* (left / right), *le feu* (the
         traffic light), *à pied* (on foot).
         """),
    ),
    S(
        ["Translate to Spanish: I'm allergic to peanuts. Does this dish contain any nuts?",
         "spanish translation please: i'm allergic to peanuts, does this dish have nuts in it?"],
        """
        **"Soy alérgico a los cacahuetes. ¿Este plato lleva frutos secos?"**

        A few notes:
        - A woman would say **alérgica**.
        - "Peanuts" is **cacahuetes** in Spain, but **maní** in much of Latin America (Argentina, Colombia,
          Peru...) and **cacahuates** in Mexico.
        - **Frutos secos** means nuts in general; **llevar** is the everyday verb for what a dish "contains".

        For a serious allergy, it's worth adding: **"Es una alergia grave. ¿Pueden comprobar si hay
        trazas?"** ("It's a serious allergy. Can you check for traces?")
        """,
    ),
    S(
        ["What does \"Schadenfreude\" mean and can you use it in a sentence?",
         "meaning of the german word schadenfreude"],
        """
        **Schadenfreude** (German, from *Schaden* "harm, damage" + *Freude* "joy") means **the pleasure
        someone feels at another person's misfortune**.

        English has borrowed the word because it has no single equivalent.

        Example sentences:
        - *When the arrogant driver who cut in front of everyone got stuck at the next red light, I felt a
          little Schadenfreude.*
        - In German: *Als sein Rivale das Rennen verlor, konnte er seine Schadenfreude kaum verbergen.*
          ("When his rival lost the race, he could hardly hide his Schadenfreude.")

        A related German word is **Fremdscham**: embarrassment you feel on behalf of someone else.
        """,
    ),
    S(
        ["Translate this into Japanese: \"Thank you for the delicious dinner. I had a wonderful time.\"",
         "japanese for: thank you for the delicious dinner, i had a great time"],
        """
        **「おいしい夕食をありがとうございました。とても楽しい時間を過ごせました。」**

        Romanised: *Oishii yūshoku o arigatō gozaimashita. Totemo tanoshii jikan o sugosemashita.*

        - **ありがとうございました** (past tense) is used to thank someone for something that's already
          finished, like a dinner that just ended.
        - After a meal in Japan, it's also very common to say **「ごちそうさまでした」** (*gochisōsama
          deshita*), which roughly means "thank you for the feast". It's the natural thing to say to your
          host.
        """,
    ),
    S(
        ["Translate to German: The meeting has been moved to next Tuesday at 3 pm. Please confirm if you can "
         "attend.",
         "german translation for a work email: meeting moved to next tuesday 3pm, please confirm attendance"],
        """
        **„Das Meeting wurde auf nächsten Dienstag um 15 Uhr verschoben. Bitte bestätigen Sie, ob Sie
        teilnehmen können."**

        - In German business communication, **Sie** (formal "you") is standard unless you're already on
          first-name terms; with colleagues you know well you could write *„Bitte gib kurz Bescheid, ob du
          dabei bist."*
        - Germans usually use the 24-hour clock in writing: **15 Uhr**.
        - *Besprechung* or *Termin* are common alternatives to *Meeting*.
        """,
    ),
    S(
        ["How do you say 'I love you' in 10 languages?", "i love you in different languages"],
        """
        1. **French:** Je t'aime
        2. **Spanish:** Te quiero / Te amo (stronger, more romantic)
        3. **Italian:** Ti amo (romantic) / Ti voglio bene (family and friends)
        4. **German:** Ich liebe dich
        5. **Portuguese:** Eu te amo (Brazil) / Amo-te (Portugal)
        6. **Russian:** Я тебя люблю (*Ya tebya lyublyu*)
        7. **Japanese:** 愛してる (*aishiteru*), though people more often say 好きだよ (*suki da yo*, "I like
           you"), which is less heavy
        8. **Mandarin Chinese:** 我爱你 (*wǒ ài nǐ*)
        9. **Korean:** 사랑해 (*saranghae*)
        10. **Arabic:** أحبك (*uḥibbuk*; the ending changes depending on who you're speaking to)

        In several of these languages, the direct phrase is used less casually than "I love you" in
        English, and people often show affection in other ways.
        """,
    ),
]

RIDDLES = [
    S(["I have keys but can't open locks. What am I?", "riddle: what has keys but can't open locks"],
      "A **piano** (or a keyboard)! It has lots of keys, but none of them open a lock.",
      ("Give me a harder one", """
       Here's one: *"The more of me you take, the more you leave behind. What am I?"*

       Take a guess, and I'll tell you if you're right!
       """),
      ("is it time?", """
       Close, but not quite! The answer is **footsteps**: the more steps you take, the more footprints you
       leave behind. Want another one?
       """)),
    S(["What has a neck but no head?", "riddle: has a neck, no head, wears a cap"],
      "A **bottle**! It has a neck, and sometimes even a cap, but no head."),
    S(["Tell me a riddle", "give me a good riddle", "do you know any riddles?"],
      """
      Here's a classic:

      *"What can travel around the world while staying in a corner?"*

      Think about it... the answer is **a stamp**! It stays in the corner of an envelope while the letter
      travels anywhere in the world.

      Want another one, or would you like to try solving one without me giving away the answer?
      """,
      ("Yes, another one but don't tell me the answer", """
       Okay, here it is:

       *"I speak without a mouth and hear without ears. I have no body, but I come alive with wind. What
       am I?"*

       Take your time, and tell me your guess!
       """),
      ("An echo?", """
       Yes, exactly right! It's an **echo**. Well done; it's one of the best-known riddles in English,
       and many people get stuck on it. Ready for a harder one?
       """)),
    S(["If a rooster lays an egg on top of a roof, which side does it roll down?",
       "trick question: a rooster lays an egg on a pointed roof, which way does it roll"],
      """
      Neither side, because **roosters don't lay eggs**! Only hens do. 🐓
      """),
    S(["A man pushes his car to a hotel and tells the owner he's bankrupt. Why?",
       "lateral thinking puzzle: man pushes car to hotel and goes bankrupt"],
      """
      He's playing **Monopoly**! He moved his car token onto a property with a hotel, and couldn't afford
      to pay the rent, so he's bankrupt.
      """),
    S(["What gets wetter the more it dries?", "riddle what gets wetter as it dries"],
      "A **towel**! The more it dries you (or the dishes), the wetter it gets."),
    S(["There are 3 light switches outside a closed room with one bulb. You can enter the room only once. "
       "How do you find which switch controls the bulb?",
       "classic puzzle: three switches, one bulb, you can check the room only once"],
      """
      Use heat as well as light:

      1. Turn on switch **1** and leave it on for about ten minutes.
      2. Turn switch 1 **off**, turn switch **2 on**, and immediately go into the room.
      3. Now:
         - If the bulb is **on**, it's switch 2.
         - If it's **off but warm**, it's switch 1 (it was on long enough to heat up).
         - If it's **off and cold**, it's switch 3.

      The trick is that a bulb gives you two pieces of information: whether it's lit, and whether it's
      warm. (With a modern LED bulb, which barely heats up, the trick is much harder to pull off!)
      """),
]

TRIVIA = [
    S(["How many bones are in the human body?", "how many bones does an adult human have"],
      """
      An adult human has **206 bones**. Babies are born with around 270 to 300, but many of them fuse
      together as we grow, for example in the skull and at the base of the spine. More than half of all
      our bones are in the hands and feet.
      """),
    S(["What's the tallest mountain in the world?", "highest mountain on earth?"],
      """
      **Mount Everest**, at **8,849 m** above sea level (the height agreed by China and Nepal in 2020), on
      the border between Nepal and China (Tibet).

      Fun fact: measured from base to peak, **Mauna Kea** in Hawaii is taller, at over 10,000 m, but most
      of it is under the ocean. And the summit farthest from Earth's centre is **Chimborazo** in Ecuador,
      because Earth bulges at the equator.
      """),
    S(["Who painted the Mona Lisa?", "who made the mona lisa and where is it"],
      """
      The Mona Lisa was painted by **Leonardo da Vinci**, starting around 1503 and continuing for years
      afterwards. It's generally believed to portray Lisa Gherardini, the wife of a Florentine merchant. It
      hangs in the **Louvre** in Paris, behind bulletproof glass, and is probably the most visited painting
      in the world. It's smaller than many people expect: about 77 × 53 cm.
      """),
    S(["How far is the Moon from Earth?", "distance earth to moon"],
      """
      On average about **384,400 km** (about 238,900 miles). Because its orbit is an ellipse, the distance
      varies between roughly 363,000 km (perigee) and 405,000 km (apogee). Light takes about 1.3 seconds to
      make the trip, and the Apollo astronauts needed about three days. The Moon is also slowly moving away
      from us, by about 3.8 cm per year.
      """),
    S(["What is the smallest country in the world?", "smallest country?"],
      """
      **Vatican City**, with an area of about 0.44 km² (roughly 49 hectares) and a population of around
      800 people. It's an independent city-state surrounded by Rome, governed by the Pope. The second
      smallest is **Monaco**, at about 2 km².
      """),
    S(["Which planet has the most moons?", "planet with most moons in the solar system"],
      """
      As of the latest counts, **Saturn** has the most known moons: well over 140 confirmed, after
      astronomers announced dozens of new small ones in 2023. Jupiter is second with around 95. The numbers
      keep changing as telescopes find more small, irregular moons, so Saturn and Jupiter have swapped
      places several times over the years.
      """),
    S(["How long does light from the Sun take to reach Earth?", "sunlight travel time to earth"],
      """
      About **8 minutes and 20 seconds** on average. The Sun is about 150 million km away, and light
      travels at about 300,000 km per second. So when you look at the Sun (please don't, directly!), you're
      seeing it as it was a little over eight minutes ago.
      """),
    S(["What's the fastest land animal?", "fastest animal on land"],
      """
      The **cheetah**, which can reach about **100–110 km/h** (around 60–70 mph) in short bursts of a few
      hundred metres. It can accelerate from 0 to about 100 km/h in roughly three seconds, comparable to a
      sports car. Over longer distances, the **pronghorn** of North America is the champion: it can keep up
      around 55 km/h for several kilometres.
      """),
    S(["Why do cats purr?", "why do cats purr, is it only when happy?"],
      """
      Cats purr by rapidly twitching the muscles of their larynx (voice box) as they breathe in and out,
      about 25–150 times per second.

      It's not only a sign of happiness. Cats purr when content, but also when they're stressed, injured,
      giving birth, or even dying. So purring seems to be a general "I'm safe / please be gentle / I'm
      soothing myself" signal. Some research suggests that the low frequencies of purring may even help
      bones and tissues heal, though that idea is still being studied. Mother cats and kittens also use
      purring to communicate: kittens can purr from just a couple of days old.
      """),
]

COMPARE = [
    S(
        ["iPhone or Android, which should I buy?", "should i get an iphone or an android phone"],
        """
        Both are excellent these days; the best choice depends on what matters to you.

        **Choose an iPhone if:**
        - You already use a Mac, iPad or Apple Watch: the devices work together very smoothly (AirDrop,
          copy-paste between devices, iMessage).
        - You want long software support: iPhones typically get 5–7 years of updates.
        - You prefer simplicity and consistency, with fewer settings to think about.
        - Resale value matters to you; iPhones hold their value well.

        **Choose Android if:**
        - You want more choice in price and hardware: from very affordable phones to foldables, with
          different cameras, sizes, and chargers.
        - You like customising your home screen, default apps, and file management.
        - You use Windows and Google services heavily.
        - Budget matters: good mid-range Android phones cost much less than a new iPhone.

        Note that recent flagship Androids from Google and Samsung now promise about 7 years of updates too,
        so the gap in longevity has closed at the high end.

        If you tell me your budget and what you mostly use your phone for (photos, games, work, social
        media), I can suggest specific models.
        """,
        ("Budget around $400, mostly photos and WhatsApp",
         """
         At around $400, a few strong options (check current prices, which change often):

         - **Google Pixel "a" series** (e.g. the latest Pixel 8a/9a): usually the best camera in this price
           range thanks to Google's photo processing, clean software, and long update support.
         - **Samsung Galaxy A5x series**: bright screen, good all-round cameras, long battery life and good
           update commitments.
         - **A previous-generation iPhone or iPhone SE**, possibly refurbished: good cameras, and you'd get
           the iPhone ecosystem at a lower price. The SE's small screen and single camera are the trade-off.

         For photos and WhatsApp specifically, I'd lean towards the Pixel a-series: great point-and-shoot
         photos, especially in low light, at a mid-range price.
         """),
    ),
    S(
        ["Python vs JavaScript for a beginner, which should I learn first?",
         "should I learn python or javascript first"],
        """
        Both are great first languages. It mostly depends on what you want to build.

        **Start with Python if:**
        - You're interested in data analysis, automation, science, AI/machine learning, or scripting.
        - You want the gentlest syntax: it reads almost like English and has fewer surprises.
        - You want to learn programming concepts without also learning HTML, CSS and browsers.

        **Start with JavaScript if:**
        - You want to build websites or web apps. JavaScript is the only language that runs natively in
          browsers, so you'll need it anyway.
        - You like seeing visual results immediately: change the code, refresh the page.
        - You're aiming for front-end or full-stack web jobs.

        Whichever you pick, the core ideas (variables, loops, functions, data structures, debugging) transfer
        directly, and your second language will be much easier. The most important thing is to pick one and
        build small projects, instead of switching back and forth.
        """,
    ),
    S(
        ["Electric car vs hybrid, what's better for me? I drive about 50 km a day and sometimes long trips",
         "should i buy an EV or a hybrid"],
        """
        With 50 km a day, an electric car would comfortably cover your daily driving, but the right choice
        depends on a few questions:

        **An electric car (EV) makes sense if:**
        - You can **charge at home or at work**. This is the big one: home charging is cheap and convenient,
          and you start each day full.
        - Your long trips are occasional and along routes with fast chargers. A modern EV with 350–450 km
          of real range needs one or two 20–30 minute stops on a 600 km trip.
        - You want the lowest running costs: electricity per km is usually much cheaper than fuel, and
          maintenance is lower (no oil changes, less brake wear).

        **A hybrid (or plug-in hybrid) makes sense if:**
        - You **can't charge at home**, and public charging near you is limited or expensive.
        - You often drive long distances in areas with few fast chargers.
        - You want a lower purchase price (though incentives can change that).

        A **plug-in hybrid** with around 50–80 km of electric range is a middle ground: your daily 50 km could
        be almost fully electric, with petrol for long trips. But it only pays off if you really plug it in
        every day.

        Can you charge at home? That answer usually decides it.
        """,
    ),
    S(
        ["Kindle or paper books?", "is it worth getting an e-reader or should I stick with paper books"],
        """
        **E-reader advantages**
        - Carry thousands of books in something lighter than one paperback, great for travel and commuting.
        - Adjustable font size and a built-in light, so you can read in bed or with tired eyes.
        - E-ink screens are easy on the eyes (no glare, unlike tablets), and the battery lasts weeks.
        - Instant dictionary, highlights you can export, and often cheaper e-books. Many libraries lend
          e-books for free.

        **Paper book advantages**
        - The physical experience: the feel, the smell, flipping back easily, seeing your progress.
        - No screen, no battery, no ecosystem lock-in; you truly own them and can lend or resell them.
        - Better for books with complex images, maps or layouts.
        - Many people find they remember what they read slightly better on paper.

        Many readers use both: an e-reader for novels and travel, paper for favourite books, cookbooks, art
        and reference. If you read more than a book or two a month, an e-reader usually pays for itself.
        """,
    ),
]

ROLEPLAY = [
    S(
        ["Let's role-play. You're a medieval innkeeper named {NAME} and I'm a tired traveller arriving at "
         "night. Stay in character.",
         "roleplay: you are {NAME}, the owner of a tavern in a fantasy village. i walk in soaked from the "
         "rain"],
        """
        *The heavy oak door creaks open, letting in a gust of rain. Behind the bar, a broad-shouldered woman
        wiping a tankard looks up and smiles.*

        "Well now, you look like the storm chewed you up and spat you out! Come in, come in, before the fire
        goes out from the draught. Name's {NAME}, and this is the Crooked Lantern, finest inn between here and
        the river ford, and the only one, so I'll take the compliment."

        *She sets down the tankard and gestures at a bench near the hearth.*

        "Sit yourself by the fire. There's mutton stew still warm in the pot and bread from this morning.
        A bed's two silver for the night, breakfast included, and I'll have the boy see to your horse, if
        you've got one. Now, what brings a traveller out on a night like this? Not many folk use the north
        road since the bridge washed out."
        """,
        ("*sits down* I'm looking for someone. An old man with a silver ring, he came through here last "
         "week.",
         """
         *{NAME}'s hand pauses on the ladle for just a heartbeat before she fills a bowl and sets it in
         front of you.*

         "Silver ring, you say." *She lowers her voice and glances at the corner table, where two men in
         grey cloaks are playing dice.* "Eat your stew. Slowly."

         *She leans in, pretending to wipe the table.*

         "He was here. Paid in old coin, the kind with the king's face they don't mint anymore. Asked for a
         room facing the road and never slept in it; I know because the bed was still made in the morning.
         He left a letter with me. Said someone would come asking about the ring, and that I'd know them
         because they'd be foolish enough to ask out loud."

         *She straightens up and says, louder:* "That'll be two silver for the room, traveller. Upstairs,
         second door on the left. I'll bring you more wood for the fire later."

         *Her eyes flick to the grey cloaks, then back to you.*
         """),
        ("*waits in the room for her to come with the wood*",
         """
         *An hour passes. The rain drums on the shutters. Finally there's a soft knock, and {NAME} slips in
         with an armful of firewood, closing the door behind her with her heel.*

         "Those two downstairs have been asking questions since yesterday. Same questions as you, only they
         didn't ask nicely."

         *She kneels at the hearth, stacks the wood, and from beneath the bottom log draws a folded letter
         sealed with grey wax. The seal shows a tower with a star above it.*

         "I've not opened it. Didn't want to know." *She presses it into your hands.* "Whatever's in there,
         you'd best be gone before first light. The back stairs lead to the stables, and the third stall has a
         mare that knows the marsh path. Tell no one I helped you."

         *She pauses at the door.* "And traveller? He said to tell you: *the tower still stands.* I hope
         that means something to you, because it means nothing to me."
         """),
    ),
    S(
        ["Pretend you're a job interviewer for a junior web developer role and interview me. Ask one "
         "question "
         "at a time.",
         "can you do a mock interview with me? i'm applying for a junior frontend developer job"],
        """
        Great, let's do it! I'll play the interviewer, ask one question at a time, and give you short feedback
        after each answer. Let's begin.

        ---

        *Hi, thanks for coming in today. I'm the lead developer on the web team here. To start, could you tell
        me a little about yourself and what got you interested in front-end development?*
        """,
        ("I studied graphic design and during my studies I started building websites for friends, and I "
         "loved the mix of design and logic. Then I did an online course in JavaScript and React and built a "
         "few projects.",
         """
         **Feedback:** Good start! The design background is a real strength for front-end work, so make it
         count. To make it stronger, name one concrete project and what it does, e.g. "I built a booking site
         for a local yoga studio that now handles about 50 bookings a week." Numbers and real users make you
         memorable.

         ---

         *Thanks. Next question: can you explain the difference between `let`, `const` and `var` in
         JavaScript, and when you'd use each?*
         """),
        ("var is function scoped and let and const are block scoped. const can't be reassigned. I use const "
         "by default and let when I need to change the value",
         """
         **Feedback:** That's a correct and concise answer, exactly what interviewers want. To stand out, you
         could add one detail: that `const` doesn't make objects immutable (you can still push to a `const`
         array), or mention the classic `var`-in-a-loop closure bug.

         ---

         *Good. Now a more practical one: a page you built loads slowly on mobile. How would you investigate
         and improve its performance?*
         """),
    ),
    S(
        ["Act as a friendly Spanish tutor and have a simple conversation with me in Spanish. Correct my "
         "mistakes.",
         "can you be my spanish conversation partner? i'm a beginner, please correct me"],
        """
        ¡Claro que sí! Vamos a practicar. I'll write in simple Spanish, add an English translation in
        brackets when it helps, and correct your mistakes gently after each of your messages.

        **¡Hola! Me llamo Sofía. ¿Cómo te llamas? ¿De dónde eres?**
        (Hi! My name is Sofía. What's your name? Where are you from?)
        """,
        ("Hola Sofia! Me llamo {NAME}. Yo soy de Canada y yo tengo 25 años. Me gusta mucho la musica.",
         """
         ¡Muy bien, {NAME}! Your sentences are very clear. Just a few small corrections:

         - **Canadá** and **música** need accents: *Soy de Canadá. Me gusta mucho la música.*
         - In Spanish you usually **drop "yo"**, because the verb already shows who is speaking: *Soy de
           Canadá y tengo 25 años.* Using "yo" every time sounds a bit unnatural (but it's not wrong!).

         Now, my turn:

         **¡Qué bien! A mí también me gusta la música. ¿Qué tipo de música te gusta? ¿Tocas algún
         instrumento?**
         (How nice! I like music too. What kind of music do you like? Do you play an instrument?)
         """),
    ),
]

ROLEPLAY.append(S(
    ["Role-play as {NAME}, a customer service agent for an airline. I'm a passenger whose bag didn't arrive.",
     "pretend you are {NAME} from the airline help desk, my suitcase is lost"],
    """
    "Good afternoon, you're speaking with {NAME} at the baggage services desk. I'm really sorry to hear
    your bag didn't arrive; I know how stressful that is, especially at the end of a journey. Let's get
    this sorted out together.

    Could you please give me your **baggage tag number**? It's the sticker you received at check-in, usually
    on the back of your boarding pass, starting with two letters and six digits. And could you describe the
    bag for me: colour, size, brand, and anything distinctive, like a ribbon or a luggage strap?

    While I look that up: if you need essentials tonight, such as toiletries or a change of clothes, please
    keep your receipts. You're entitled to reasonable interim expenses while your bag is delayed."
    """,
    ("It's AB482913. A large dark blue hard-shell suitcase with a yellow strap.",
     """
     "Thank you. One moment, please... Good news: I can see tag AB482913 in our tracing system. Your
     suitcase missed the connection in Frankfurt and has been scanned there this morning. It's booked on
     tomorrow's first flight, which lands at 9:40.

     Once it arrives, we can deliver it free of charge to your hotel or home address, usually within a few
     hours of landing. Could you confirm the delivery address and a phone number where the courier can reach
     you? I'll also send you a reference number by text so you can follow the status online.

     Again, I apologise for the inconvenience. Is there anything else I can help you with today?"
     """),
))

PHILOSOPHY = [
    S(
        ["What is the meaning of life?", "what's the point of life, philosophically speaking?"],
        """
        There's no single agreed answer, but philosophers have offered some influential ones:

        - **Religious traditions** often say meaning comes from a relationship with God or the divine, and
          from living according to a moral or spiritual path.
        - **Aristotle** argued the goal of life is *eudaimonia*, often translated as "flourishing": living
          well by developing virtues like courage, wisdom and justice, and realising your potential as a
          rational, social being.
        - **Existentialists** like Sartre argued that life has no built-in meaning; we are "condemned to be
          free" and must create meaning through our choices and commitments.
        - **Albert Camus** called the clash between our search for meaning and a silent universe "the
          absurd", and suggested we can respond by embracing life fully anyway: "One must imagine Sisyphus
          happy."
        - **Buddhism** focuses less on "meaning" and more on ending suffering, through insight,
          compassion and letting go of craving.
        - **Modern psychology** finds that people report meaningful lives when they have close
          relationships, a sense of purpose beyond themselves, and a coherent story about their lives.

        Perhaps a practical version of the question is: *what makes your life feel meaningful?* Most people's
        answers involve other people, growth, and contributing to something they care about.
        """,
        ("What do you think personally?",
         """
         I don't have personal experiences or a life of my own, so I can't claim a meaning the way you
         can. But if I had to pick the idea I find most persuasive, it's something like a blend of
         Aristotle and the existentialists: meaning isn't handed to us, but it isn't arbitrary either. It
         grows from caring about things that are worth caring about (people, truth, beauty, reducing
         suffering) and from acting on that care, day after day. Which of these views resonates most with
         you?
         """),
    ),
    S(
        ["Explain the trolley problem and the main ways people answer it",
         "what is the trolley problem in ethics"],
        """
        **The problem** (introduced by Philippa Foot in 1967): a runaway trolley is heading towards five
        people tied to the track. You can pull a lever to divert it onto a side track, where it will kill
        one person instead. Should you pull the lever?

        Most people say **yes**: one death is better than five. That's a **consequentialist** answer: the
        right action is the one with the best outcome.

        **The twist (the "footbridge" version):** you're on a bridge above the track next to a large man.
        Pushing him off would stop the trolley and save the five, but kill him. Here most people say **no**,
        even though the numbers are the same.

        Why the difference? Common explanations:

        - **Deontology** (Kant): some actions are wrong in themselves. Pushing the man uses him merely as a
          means to an end, violating his dignity; diverting the trolley doesn't target the one person, his
          death is a side effect.
        - **The doctrine of double effect**: it can be acceptable to cause harm as a foreseen side effect of
          a good action, but not as the means to it.
        - **Psychology**: research by Joshua Greene suggests that personal, physical harm triggers strong
          emotional responses, while impersonal harm (pulling a lever) engages more calculating reasoning.

        Today the problem is discussed in practical contexts, such as how self-driving cars should be
        programmed, though real engineering decisions are rarely so clean.
        """,
    ),
    S(
        ["What is Stoicism and how can I apply it in daily life?", "stoicism explained, practical tips"],
        """
        Stoicism is a philosophy founded in Athens around 300 BCE by Zeno of Citium, and later practised by
        Seneca, the former slave Epictetus, and the Roman emperor Marcus Aurelius. Its core ideas:

        1. **The dichotomy of control**: some things are up to us (our judgements, choices and actions) and
           most things are not (other people, the weather, the past, our reputation). Focus your energy on
           the first.
        2. **Virtue is the only true good**: wisdom, courage, justice and self-control matter more than
           wealth, pleasure or status.
        3. **We're disturbed not by events but by our judgements about them** (Epictetus).

        **Everyday practices**
        - **Morning preview**: think briefly about the day's likely challenges (a difficult meeting, traffic)
          and how you want to respond.
        - **Evening review**: ask what you did well, what you could improve, and what you learned, without
          self-punishment.
        - **Ask "is this in my control?"** when you're anxious or angry. If not, practise acceptance; if yes,
          act.
        - **Negative visualisation**: occasionally imagine losing things you have, which builds gratitude.
        - **Voluntary discomfort**: cold showers or skipping a comfort now and then, to learn you can cope.

        Stoicism is often misunderstood as suppressing emotions. It's closer to understanding them and not
        letting them rule your actions. Marcus Aurelius' *Meditations* is a short, readable place to start.
        """,
    ),
    S(
        ["Do we have free will?", "is free will an illusion?"],
        """
        This is one of philosophy's oldest open questions. The main positions:

        - **Hard determinism**: every event, including every decision in your brain, is caused by prior
          events according to physical laws. So free will, in the sense of "could have done otherwise", is an
          illusion.
        - **Libertarian free will** (not the political kind): we really can choose between alternatives,
          and our choices aren't fully determined by prior causes. Critics ask how this fits with physics;
          quantum randomness, for example, adds chance, not control.
        - **Compatibilism**, the most common view among philosophers today: free will is compatible with
          determinism. Being free means acting according to your own reasons, desires and values, without
          coercion, even if those reasons themselves have causes. A person choosing coffee because they like
          it is acting freely; a person forced at gunpoint isn't.

        Neuroscience experiments, like Benjamin Libet's from the 1980s showing brain activity before people
        report deciding to move, are often cited against free will, but their interpretation is heavily
        debated, since they involve trivial, spontaneous movements, not considered choices.

        What's interesting is that, whatever the metaphysics, our practices of responsibility, praise and
        blame still seem to make sense, which is part of compatibilism's appeal.
        """,
    ),
]

MUSIC = [
    S(
        ["How do I start learning guitar as an adult?", "beginner guitar tips, what should i learn first"],
        """
        Adults often learn faster than they expect, because you can practise deliberately. A good path:

        **1. Get a playable guitar.** Have it set up at a music shop: low string action makes a huge
        difference for sore fingertips. Nylon strings are softer on fingers; steel-string acoustic or electric
        are fine too, depending on the music you love.

        **2. First weeks**
        - Learn to tune (a free tuner app works).
        - Learn a few open chords: **E minor, A minor, C, G, D**. With just these you can play hundreds of
          songs.
        - Practise changing between two chords slowly, for example G to C, for one minute at a time.
        - Learn a simple strumming pattern: down, down-up, up-down-up.

        **3. Practise little and often**: 15–20 minutes a day beats two hours on Sunday. Your fingertips will
        hurt for the first couple of weeks; that's normal, and calluses form.

        **4. Play real songs early.** Pick easy songs you love; motivation is everything.

        **5. Later:** the F barre chord (everyone struggles, be patient), basic fingerpicking, and the minor
        pentatonic scale for improvising.

        Online lessons are excellent, but a few sessions with a teacher early on can fix bad habits in
        posture and hand position before they set in.
        """,
        ("What are some easy songs with those chords?",
         """
         Some classics that use only beginner chords (keys vary by version, but these are common):

         - **"Knockin' on Heaven's Door"** (Bob Dylan): G, D, Am, C
         - **"Horse with No Name"** (America): just two chord shapes, Em and a variation of D
         - **"Stand by Me"** (Ben E. King): G, Em, C, D
         - **"Riptide"** (Vance Joy): Am, G, C
         - **"Wonderwall"** (Oasis): Em, G, D, A7sus4 with a capo
         - **"Let It Be"** (The Beatles): C, G, Am, F (a good reason to learn the F chord!)
         - **"Three Little Birds"** (Bob Marley): A, D, E

         Start with "Knockin' on Heaven's Door" at a slow tempo; it has a slow, forgiving rhythm.
         """),
    ),
    S(
        ["Explain what a major and minor scale is", "music theory: difference between major and minor"],
        """
        A **scale** is a set of notes arranged in order, and the difference between major and minor is the
        pattern of steps between them.

        In Western music the smallest step is a **half step** (semitone), e.g. from C to C#, and a **whole
        step** is two half steps.

        - **Major scale** pattern: W–W–H–W–W–W–H.
          C major: C D E F G A B C (all the white keys on the piano starting from C).
        - **Natural minor scale** pattern: W–H–W–W–H–W–W.
          A minor: A B C D E F G A (also all white keys, but starting from A).

        The key difference is the **third note**: in a major scale it is 4 half steps above the root (C→E),
        in a minor scale only 3 (A→C). That "minor third" is a big part of why minor sounds darker, sadder or
        more tense, and major sounds brighter or happier, though that's a cultural association and depends a
        lot on tempo and rhythm.

        C major and A minor share exactly the same notes; they're called **relative** keys. The difference
        is which note feels like "home".
        """,
    ),
    S(
        ["Who were the most influential composers in classical music?",
         "top classical composers i should listen to, where to start"],
        """
        A starting list across the main periods, with one piece to try for each:

        **Baroque (c. 1600–1750)**
        - **J. S. Bach**: *Brandenburg Concerto No. 3*; the *Cello Suite No. 1*.
        - **Vivaldi**: *The Four Seasons*.

        **Classical (c. 1750–1820)**
        - **Mozart**: *Eine kleine Nachtmusik*; the *Requiem* for something dramatic.
        - **Haydn**: the "Surprise" Symphony No. 94.

        **Bridging into Romanticism**
        - **Beethoven**: Symphony No. 5 and No. 9, the *Moonlight* Sonata.

        **Romantic (c. 1820–1900)**
        - **Chopin**: the Nocturnes, especially Op. 9 No. 2.
        - **Tchaikovsky**: *Swan Lake*, the *1812 Overture*.
        - **Brahms**, **Dvořák** (*New World* Symphony), **Verdi** and **Wagner** for opera.

        **20th century**
        - **Debussy**: *Clair de lune*.
        - **Stravinsky**: *The Rite of Spring*, which caused a near-riot at its 1913 premiere.
        - **Philip Glass** or **Arvo Pärt** for minimalism.

        A nice way in is through film: many soundtracks borrow heavily from these composers, so you'll
        recognise more than you expect.
        """,
    ),
]

SPORTS = [
    S(
        ["Explain the offside rule in football (soccer)", "what is offside in soccer? i never get it"],
        """
        The offside rule stops attackers from just waiting next to the opponents' goal.

        **A player is in an offside position if**, at the moment a teammate **passes** the ball to them:
        - they are in the opponents' half, **and**
        - they are **closer to the opponents' goal line** than both the ball **and** the second-last
          opponent. (The goalkeeper usually counts as the last opponent, so in practice: closer to goal
          than the last outfield defender.)

        Being in an offside position is **not an offence by itself**. It's only penalised if the player then
        gets involved in play: receiving the ball, blocking the goalkeeper's view, or challenging for the
        ball.

        **Important details**
        - What counts is the player's position **when the ball is played**, not when they receive it. So
          a striker can start level and sprint past the defenders.
        - **Level is onside.**
        - You can't be offside from a **goal kick, throw-in, or corner kick**, or in your own half.
        - Arms and hands don't count when judging the position, since you can't score with them.

        The punishment is an indirect free kick to the defending team. VAR now checks close calls using
        lines on the replay.
        """,
    ),
    S(
        ["How does scoring work in tennis? Why 15, 30, 40?", "tennis scoring explained"],
        """
        Tennis scoring has three levels: points, games and sets.

        **Points within a game**
        - 0 points = "love", 1 = 15, 2 = 30, 3 = 40, and the next point wins the game.
        - If both players reach 40, it's **deuce**. A player must then win **two points in a row**: the first
          gives "advantage", the second wins the game. If the other player wins the next point, it's back
          to deuce.

        **Games and sets**
        - A set is won by the first player to win **6 games**, with a lead of at least two (6–4, 7–5).
        - At **6–6**, a **tiebreak** is usually played: first to 7 points, with a two-point lead.
        - Matches are best of three sets, or best of five in men's Grand Slams.

        **Why 15, 30, 40?** Nobody knows for sure. A popular theory says medieval French scoring used a
        clock face, moving the hand a quarter at a time (15, 30, 45, then 60 = game), and 45 was later
        shortened to 40 to make room for deuce and advantage. "Love" may come from the French *l'œuf*
        (egg, for the zero shape), though that's also debated.
        """,
    ),
    S(
        ["What's the best way to train for a half marathon in 12 weeks?",
         "half marathon training plan, I can already run 10k"],
        """
        If you can already run 10 km comfortably, 12 weeks is a good amount of time. A balanced structure,
        4 runs a week:

        - **1 long run** (usually at the weekend): build from 10–12 km in week 1 to about 18–19 km in weeks
          9–10, at an easy, conversational pace. Increase by no more than 1–2 km each week, and make every
          fourth week a little easier.
        - **1 workout** for speed, alternating:
          - intervals: e.g. 5 × 1 km at around 10 km race pace with 2 minutes of jogging in between;
          - tempo runs: 20–30 minutes at "comfortably hard" pace.
        - **2 easy runs** of 5–8 km.
        - Optional: 1–2 sessions of strength training (squats, lunges, calf raises, core), which helps prevent
          injury.

        **Weeks 11–12: taper.** Cut your weekly distance by about 30–40%, keep a bit of race-pace running,
        and rest well. Your longest run should be about two weeks before race day.

        **Race tips:** don't try anything new on race day (shoes, breakfast, gels), start slower than you
        feel like, and practise your fuelling (water and, if you'll be out for more than about 75 minutes,
        carbohydrate gels) during long runs.
        """,
    ),
]

MEDIA = [
    S(
        ["Can you recommend some science fiction books for someone new to the genre?",
         "good sci-fi books for beginners?"],
        """
        Here's a mix of classics and modern favourites that are easy to get into:

        - **The Martian** by Andy Weir: a stranded astronaut survives on Mars with science and humour. Very
          readable.
        - **Project Hail Mary** by Andy Weir: a lone astronaut wakes up with no memory on a mission to save
          Earth. Warm, funny and full of puzzles.
        - **Ender's Game** by Orson Scott Card: a gifted child trained at a military space academy.
        - **The Left Hand of Darkness** by Ursula K. Le Guin: a thoughtful classic about a planet whose people
          have no fixed gender.
        - **Dune** by Frank Herbert: politics, religion and ecology on a desert planet. Slower start, but
          epic.
        - **Foundation** by Isaac Asimov: a mathematician predicts the fall of a galactic empire.
        - **Klara and the Sun** by Kazuo Ishiguro: a quiet, moving story told by an artificial "friend".
        - **The Hitchhiker's Guide to the Galaxy** by Douglas Adams: absurd and hilarious.

        If you tell me what you usually enjoy reading or watching, I can narrow it down.
        """,
        ("I loved The Martian. What else would I like?",
         """
         Since you enjoyed the problem-solving and humour, try:

         - **Project Hail Mary** (same author, many readers like it even more).
         - **Seveneves** by Neal Stephenson: humanity scrambles to survive in orbit after the Moon breaks
           apart. Very technical, long, and gripping.
         - **Delta-v** by Daniel Suarez: a near-future asteroid-mining thriller grounded in real engineering.
         - **The Long Way to a Small, Angry Planet** by Becky Chambers: less science, more found family,
           but the same warmth.
         - **Apollo 13**-style non-fiction: *Lost Moon* by Jim Lovell and Jeffrey Kluger, the true story
           that has a lot of The Martian's spirit.
         """),
    ),
    S(
        ["What are some good movies to watch on a rainy Sunday?", "cozy movie recommendations"],
        """
        Some cosy picks, across genres:

        - **Paddington 2**: kind, funny and beautifully made; hard to be in a bad mood after it.
        - **My Neighbor Totoro**: gentle Studio Ghibli magic about two sisters in the countryside.
        - **The Grand Budapest Hotel**: a colourful, witty caper by Wes Anderson.
        - **Amélie**: a whimsical Parisian story about small acts of kindness.
        - **Knives Out**: a fun, twisty murder mystery with a great ensemble cast.
        - **Chef**: a chef starts a food truck on a road trip with his son. Don't watch it hungry.
        - **The Princess Bride**: adventure, romance, and endlessly quotable lines.
        - **Little Women** (2019): warm, well acted, and perfect for a grey day.

        Add a blanket and something warm to drink, and you're set.
        """,
    ),
    S(
        ["Is the book or the movie of Lord of the Rings better?", "lotr books vs movies"],
        """
        Fans have argued about this for over twenty years, and both have real strengths.

        **Where the books shine**
        - Depth: Tolkien's world-building, languages, songs, history and the appendices.
        - Characters who were cut or reduced in the films: Tom Bombadil, Glorfindel, more of Faramir's
          gentleness, and "The Scouring of the Shire", which gives the story a powerful, bittersweet ending.
        - A slower, more reflective tone, with a lot of walking and landscape, which some readers love and
          others find heavy.

        **Where the films shine**
        - Stunning visuals, Howard Shore's music, and memorable performances (Ian McKellen as Gandalf,
          Andy Serkis as Gollum).
        - Tighter pacing and clearer action, with battles like Helm's Deep expanded into set pieces.
        - They made the story accessible to millions who'd never have read the books.

        Common criticisms of the films include changes to characters like Faramir and the ghost army, and
        Aragorn's more reluctant arc.

        Many people would say: watch the extended editions, then read the books to go deeper. They
        complement each other well.
        """,
    ),
]

LANGUAGE = [
    S(
        ["When do I use 'affect' vs 'effect'?", "affect or effect? always confuse them"],
        """
        The quick rule:

        - **Affect** is usually a **verb**: to influence something.
          *The weather affected our plans.*
        - **Effect** is usually a **noun**: the result of a change.
          *The weather had a big effect on our plans.*

        A memory trick: **A**ffect = **A**ction (verb), **E**ffect = **E**nd result (noun). And if you can
        put "the" or "an" in front, you probably want "effect".

        Less common exceptions:
        - **Effect** as a verb means "to bring about": *The new manager effected major changes* (she made
          them happen).
        - **Affect** as a noun is used in psychology for visible emotion: *The patient showed a flat affect.*
        """,
    ),
    S(
        ["Can you check the grammar of this: \"Me and my friend goes to the cinema every fridays, but last "
         "week we doesn't went because it was raining alot.\"",
         "please fix grammar: me and my friend goes to the cinema every fridays, but last week we doesn't "
         "went "
         "because it was raining alot"],
        """
        Corrected version:

        **"My friend and I go to the cinema every Friday, but last week we didn't go because it was raining a
        lot."**

        What changed and why:

        1. **"Me and my friend" → "My friend and I"**: it's the subject of the sentence, so use "I". It's also
           polite to put yourself last.
        2. **"goes" → "go"**: the subject is plural ("my friend and I" = we).
        3. **"every fridays" → "every Friday"**: after "every", use a singular noun; days of the week are
           capitalised.
        4. **"doesn't went" → "didn't go"**: for the past negative, use "didn't" + the base form of the verb.
        5. **"alot" → "a lot"**: always two words.
        """,
        ("thanks! how do i know when to use 'I' or 'me'?",
         """
         Use the "remove the other person" test:

         - *My friend and **I** went to the cinema.* → "I went to the cinema" ✓ (not "me went")
         - *She invited my friend and **me**.* → "She invited me" ✓ (not "she invited I")

         **I** is for the subject (who does the action), **me** is for the object (who receives it), and also
         after prepositions: *between you and me*, *with my friend and me*.
         """),
    ),
    S(
        ["What's the difference between 'since' and 'for' with time?", "for vs since in english grammar"],
        """
        Both are used with the present perfect to say how long something has been going on, but they take
        different kinds of time expressions:

        - **For + a period of time** (how long): *for three years, for two hours, for a long time, for ages*.
          *I've lived here **for** five years.*
        - **Since + a point in time** (when it started): *since 2019, since Monday, since 8 o'clock, since I
          was a child*.
          *I've lived here **since** 2019.*

        A quick test: if you can answer "how long?", use *for*; if you can answer "starting when?", use
        *since*.

        Note: **for** is also used with other tenses (*I lived in Rome for two years* = finished), while
        **since** almost always goes with perfect tenses, because it connects a past moment to now.
        """,
    ),
    S(
        ["What's the fastest way to learn a new language?", "tips to learn a language fast as an adult"],
        """
        There's no magic shortcut, but some methods are much more effective than others:

        1. **Focus on the most common words first.** About 1,000 words cover roughly 80% of everyday
           conversation. Use a spaced-repetition app (like Anki) to review them efficiently.
        2. **Get lots of comprehensible input.** Listen and read things you *mostly* understand: graded
           readers, podcasts for learners, YouTube channels, TV series with subtitles in the target language.
        3. **Speak early**, even badly. Book conversation practice with a tutor or language exchange partner
           from the first weeks. Mistakes are how you learn.
        4. **Learn chunks, not just words**: "Could I have...", "I'd like to...", "What do you mean by...?"
        5. **Study a little every day.** 30 minutes daily beats 4 hours once a week.
        6. **Use the language for things you enjoy**: cook from recipes, follow your hobby's online
           community, change your phone's language.
        7. **Learn pronunciation properly** at the start; it's harder to fix later.

        With consistent daily practice, many learners reach basic conversation (around A2/B1 level) in a
        related language within 6–12 months. Languages far from your own, like Japanese for English
        speakers, take longer.
        """,
    ),
]

ADVICE = [
    S(
        ["How do I make friends in a new city as an "
         "adult?", "i moved to a new city and don't know anyone. help"],
        """
        Moving somewhere new is exciting but lonely at first, and making friends as an adult takes more
        deliberate effort than at school. Some things that work:

        1. **Go to the same place repeatedly.** Friendships grow from repeated, casual contact. A weekly class
           (climbing, pottery, a language course, choir) beats a series of one-off events, because you see the
           same faces.
        2. **Join groups built around activities**: running clubs, board-game nights, volunteering,
           community gardens, amateur sports leagues. Doing something together takes the pressure off talking.
        3. **Use apps designed for this**: Meetup, Bumble BFF, or local community groups online.
        4. **Say yes** to invitations, even from colleagues, even when you're tired, at least for the first
           few months.
        5. **Be the one who follows up.** When you click with someone, suggest something specific: "Want to
           grab a coffee after class next week?" Most people are waiting for someone else to take the first
           step.
        6. **Be patient.** Research suggests it takes around 50 hours together to go from acquaintance to
           casual friend, and many more to become close friends.

        It's normal for this to take months. Meanwhile, staying in touch with old friends by phone or video
        helps with the loneliness.
        """,
        ("I'm quite introverted, big groups drain me",
         """
         That's completely fine, and many introverts make deep friendships; they just make them differently.

         - **Choose small or structured settings**: a book club of six people, a class where the activity
           gives you something to focus on, or volunteering in pairs.
         - **Aim for one-on-one follow-ups.** Meet people in a group once, then invite one person for a walk
           or coffee. Introverts often shine in one-on-one conversation.
         - **Plan recovery time.** If you know Tuesday's class drains you, keep Wednesday evening quiet.
         - **Ask questions.** People love talking about their interests, and good listening is a strength
           that builds closeness fast.
         - **Quality over quantity.** Two or three good friends in a new city is a great result.
         """),
    ),
    S(
        ["How do I stop procrastinating?", "i procrastinate on everything, how do i fix this",
         "tips to stop procrastination and actually get work done"],
        """
        Procrastination usually isn't about laziness; it's about avoiding an unpleasant feeling: boredom,
        confusion, fear of failing, or a task that feels too big. So the tricks work by making starting
        easier.

        1. **Make the first step tiny.** Not "write the report", but "open the document and write the
           headings". Starting is the hardest part; momentum usually follows.
        2. **Use a timer.** Work for 25 minutes, then take a 5-minute break (the Pomodoro technique). Telling
           yourself "just 25 minutes" is much less scary than "all afternoon".
        3. **Remove friction for work, add friction for distractions.** Phone in another room, website
           blockers, the work file already open on your desk.
        4. **Decide when and where**: "At 9:00 at my desk I'll do X" works far better than "I'll do X today".
        5. **Be clear about what "done" means.** Vague tasks invite avoidance; break them into concrete next
           actions.
        6. **Forgive yourself for past procrastination.** Studies have found that students who forgave
           themselves for procrastinating on one exam procrastinated less on the next.

        If procrastination is severe, lifelong and comes with trouble concentrating, restlessness or
        disorganisation in many areas of life, it can be worth talking to a professional about ADHD.
        """,
    ),
    S(
        ["My friend is going through a hard time. How can I support them?",
         "how to help a friend who is depressed"],
        """
        It's kind of you to think about this. Some things that genuinely help:

        - **Reach out and keep reaching out.** A simple message like "Thinking of you. No need to reply"
          takes pressure off. People who are struggling often withdraw, and it means a lot when someone keeps
          showing up.
        - **Listen more than you advise.** You don't need the perfect words. "That sounds really hard. I'm
          here" is often better than solutions. Ask open questions: "How have you been feeling lately?"
        - **Offer specific, practical help.** "Can I bring dinner on Thursday?" or "Want to go for a walk
          Saturday morning?" is easier to accept than "Let me know if you need anything."
        - **Don't minimise.** Avoid "Others have it worse" or "Just think positive".
        - **Encourage professional support** gently, if things seem serious or long-lasting: "Have you
          thought about talking to someone, like a doctor or therapist? I could help you find someone."
        - **Look after yourself too.** Supporting someone can be draining, and you can't carry it alone.

        **If your friend talks about wanting to die or harming themselves**, take it seriously: ask them
        directly, stay with them if they're in danger, and contact emergency services or a crisis line in
        your country. Asking about suicide does not put the idea in someone's head; it often brings relief.
        """,
    ),
    S(
        ["How can I be more confident when speaking in "
         "meetings?", "I get nervous speaking up at work meetings"],
        """
        This is very common, and confidence in meetings is a skill you can build step by step.

        **Before the meeting**
        - Read the agenda and prepare one or two points or questions in advance; write them down.
        - If possible, talk to a colleague about your idea beforehand. It's easier to speak when you know
          someone agrees.

        **During the meeting**
        - **Speak early**, in the first 10 minutes. The longer you wait, the harder it gets.
        - Start small: ask a clarifying question or build on someone's point ("To add to what Priya said...").
        - Speak a little slower than feels natural, and pause instead of saying "um".
        - Keep it short: your point, one reason, and a suggestion.

        **After**
        - Notice what went fine. Most people are far less critical of you than you are of yourself.
        - Follow up in writing if you had a good idea you didn't manage to say.

        **Longer term:** practising in low-stakes situations (a Toastmasters club, presenting to your own
        team) makes a big difference. The nervousness usually doesn't vanish completely, but it stops being
        in charge.
        """,
    ),
]

ADVICE.append(S(
    ["My coworker {NAME} keeps taking credit for my work in meetings. How should I handle it?",
     "a colleague ({NAME}) presents my ideas as theirs, what do I do?"],
    """
    That's frustrating, and it's worth addressing early, calmly and with evidence. A step-by-step approach:

    1. **Make your work visible by default.** Share updates in writing (email or team channels), with your
       name on documents and in version history. Present your own work in meetings when you can: "I'll give
       a quick update on the analysis I finished yesterday."
    2. **Reclaim credit in the moment, politely.** If {NAME} presents your idea: "Thanks for bringing that up,
       {NAME}. When I put that proposal together last week, I also looked at..." This adds context without
       attacking anyone.
    3. **Talk to {NAME} privately.** It may be careless rather than malicious. Use facts and "I" statements:
       "In Tuesday's meeting, the forecast model was presented as your work. I built it, and I'd like that to
       be clear in future. Can we agree to credit each other's parts?"
    4. **Keep a record** of what you did and when, with dates and links. It helps in conversations and in
       performance reviews.
    5. **Involve your manager if it continues**, framed around the work rather than complaints: "I want to
       make sure my contributions to the project are visible. Can we talk about how updates are shared?"

    Most situations improve at step 2 or 3. If it's a pattern that affects your evaluation or promotion,
    step 5 is entirely appropriate.
    """,
))

ML = [
    S(
        ["What is overfitting in machine learning and how do I prevent it?",
         "explain overfitting vs underfitting"],
        """
        **Overfitting** is when a model learns the training data too well, including its noise and random
        quirks, so it performs great on the training set but poorly on new data. It has memorised rather than
        generalised.

        **Underfitting** is the opposite: the model is too simple to capture the real pattern, so it does
        badly even on the training data.

        A typical sign of overfitting: training accuracy keeps improving while validation accuracy stalls or
        gets worse.

        **Ways to prevent overfitting**
        - **More data**, or data augmentation (e.g. flipping and cropping images).
        - **Simpler models**: fewer parameters, shallower trees, fewer features.
        - **Regularisation**: L1/L2 penalties on weights, dropout in neural networks.
        - **Early stopping**: stop training when validation performance stops improving.
        - **Cross-validation** to get a reliable estimate of performance and tune hyperparameters.
        - **Ensembles** like random forests, which average many models and reduce variance.

        The goal is the sweet spot between the two, often described as the **bias–variance trade-off**.
        """,
        ("Can you show a quick example in Python?",
         r"""
         Here's a small demo with scikit-learn: polynomial regression on noisy data, comparing a sensible
         degree with a far too flexible one.

         ```python
         import numpy as np
         from sklearn.linear_model import LinearRegression
         from sklearn.metrics import mean_squared_error
         from sklearn.model_selection import train_test_split
         from sklearn.pipeline import make_pipeline
         from sklearn.preprocessing import PolynomialFeatures

         rng = np.random.default_rng(0)
         X = rng.uniform(-3, 3, size=(60, 1))
         y = np.sin(X).ravel() + rng.normal(scale=0.3, size=60)

         X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)

         for degree in (3, 15):
             model = make_pipeline(PolynomialFeatures(degree), LinearRegression())
             model.fit(X_train, y_train)
             train_err = mean_squared_error(y_train, model.predict(X_train))
             test_err = mean_squared_error(y_test, model.predict(X_test))
             print(f"degree {degree:>2}: train MSE {train_err:.3f}, test MSE {test_err:.3f}")
         ```

         You'll typically see degree 15 with a *lower* training error but a much *higher* test error than
         degree 3: it bends itself to fit the noise. Swapping `LinearRegression` for `Ridge(alpha=1.0)`
         (regularisation) tames the degree-15 model considerably.
         """),
    ),
    S(
        ["How does a transformer language model work, in simple terms?",
         "explain how chatgpt-like models work, simply", "what is attention in transformers"],
        """
        At its core, a language model is trained to do one thing: **predict the next token** (a word or
        piece of a word) given the text so far. Generating text means repeating that prediction over and over.

        How a transformer does it:

        1. **Tokenisation**: text is split into tokens, e.g. "unbelievable" → "un", "believ", "able".
        2. **Embeddings**: each token becomes a vector, a list of numbers that captures aspects of its
           meaning. Position information is added so the model knows word order.
        3. **Attention layers**: this is the key idea. For every token, the model computes how relevant every
           previous token is to it, and mixes in information from the relevant ones. In "The trophy didn't fit
           in the suitcase because **it** was too big", attention helps "it" pick up information from
           "trophy".
        4. **Feed-forward layers** process each token's vector further; many researchers think a lot of
           factual knowledge is stored here.
        5. This attention + feed-forward block is **stacked dozens of times**, building more abstract
           representations at each layer.
        6. **Output**: the final vector is turned into a probability for every possible next token, and one
           is picked.

        **Training** happens in stages: first on huge amounts of text (learning language and facts by
        predicting the next token), then fine-tuning on examples of helpful conversations, often followed by
        reinforcement learning from human (or AI) feedback to make answers more helpful and safe.

        The models don't look things up in a database; everything they "know" is encoded in billions of
        learned numbers (weights), which is also why they can sometimes produce confident-sounding mistakes.
        """,
        ("What are sparse autoencoders and why do interpretability researchers use them?",
         """
         Inside a language model, each layer produces activation vectors with thousands of dimensions. You'd
         hope each dimension (neuron) meant one thing, but in practice single neurons tend to be
         **polysemantic**: one neuron might fire for French text, for legal language and for the colour red.
         A popular explanation is **superposition**: the model represents many more features than it has
         dimensions by spreading them across overlapping directions.

         A **sparse autoencoder (SAE)** tries to untangle this. It's a small network trained on a model's
         activations to:

         1. **encode** each activation vector into a much wider vector (say 16× more dimensions), with a
            strong penalty or constraint so only a few entries are non-zero (sparse), and
         2. **decode** it back, reconstructing the original activation as accurately as possible.

         Because only a handful of latent units can be active at once, each unit tends to learn a cleaner,
         more interpretable feature: "Python code", "text about the Golden Gate Bridge", "the end of a
         sentence in a question". Researchers then inspect which inputs activate each feature most strongly,
         and can even steer the model by adding or removing feature directions.

         Challenges include features that are hard to label, "dead" units that never activate, and the fact
         that reconstruction is never perfect, so some of the model's computation remains unexplained.
         """),
    ),
    S(
        ["What's the difference between supervised, unsupervised and reinforcement learning?",
         "types of machine learning explained"],
        """
        **Supervised learning**: you give the model examples **with the right answers (labels)**, and it
        learns to map inputs to outputs.
        - Examples: spam detection (email → spam / not spam), house price prediction (features → price),
          image classification.
        - Algorithms: linear/logistic regression, decision trees, random forests, neural networks.

        **Unsupervised learning**: the data has **no labels**; the model finds structure on its own.
        - Examples: grouping customers into segments (clustering), reducing many features to a few
          (dimensionality reduction, e.g. PCA), detecting anomalies.
        - Algorithms: k-means, hierarchical clustering, PCA, autoencoders.

        **Reinforcement learning**: an **agent** takes actions in an **environment** and receives **rewards**
        or penalties, learning by trial and error which actions lead to the most reward over time.
        - Examples: game-playing agents (AlphaGo), robot control, fine-tuning chatbots from human feedback.

        There's also **self-supervised learning**, where labels are created from the data itself, like
        predicting the next word in a sentence. It's how large language models are pre-trained, and it sits
        somewhere between supervised and unsupervised learning.
        """,
    ),
    S(
        ["How do I handle missing values in a pandas DataFrame?", "pandas missing data NaN what to do"],
        r"""
        First look at how much is missing and where:

        ```python
        import pandas as pd

        df = pd.read_csv("data.csv")
        print(df.isna().sum())                  # missing values per column
        print(df.isna().mean().round(3) * 100)  # percentage per column
        ```

        Then choose a strategy per column:

        ```python
        # 1. Drop rows missing a critical value (e.g. the target)
        df = df.dropna(subset=["price"])

        # 2. Drop columns that are mostly empty
        df = df.loc[:, df.isna().mean() < 0.6]

        # 3. Fill numeric columns with the median (robust to outliers)
        df["age"] = df["age"].fillna(df["age"].median())

        # 4. Fill categories with the most frequent value or an explicit "unknown"
        df["city"] = df["city"].fillna("unknown")

        # 5. Time series: carry the last known value forward
        df["temperature"] = df["temperature"].ffill()

        # 6. Keep the information that something was missing
        df["income_missing"] = df["income"].isna()
        df["income"] = df["income"].fillna(df["income"].median())
        ```

        Things to keep in mind:
        - **Why** is the data missing? If it's not random (e.g. people with high incomes skip that question),
          filling with the median can bias your analysis.
        - For machine learning, compute fill values on the **training set only** and apply them to the test
          set, to avoid data leakage. scikit-learn's `SimpleImputer` in a pipeline does this for you.
        """,
    ),
]

ENVIRONMENT = [
    S(
        ["What are the most effective things I can personally do about climate change?",
         "how can one person reduce their carbon footprint meaningfully"],
        """
        Some actions matter far more than others. Roughly from highest to lower impact for a typical person
        in a wealthy country:

        1. **How you travel**: living car-free or switching to an electric car, and taking fewer flights. One
           long-haul return flight can emit more than a tonne of CO₂ per passenger.
        2. **Home energy**: switch to a renewable electricity tariff if available, improve insulation, and
           replace gas or oil heating with a heat pump when it's time to replace the boiler.
        3. **Diet**: eating less red meat and dairy; beef has by far the highest footprint per gram of
           protein. You don't have to go fully vegetarian to make a big difference.
        4. **Buy less, keep things longer**, especially electronics and clothes, and buy second-hand.
        5. **Reduce food waste**: plan meals and use leftovers.

        Beyond personal footprint, some of the biggest levers are **collective**:

        - **Vote and engage** on climate policy locally and nationally.
        - **Talk about it**: social norms spread through friends and colleagues.
        - **Your money and work**: where your pension is invested, and what your employer does.

        Recycling and avoiding plastic straws are good habits, but their climate impact is small compared with
        the items above.
        """,
    ),
    S(
        ["How do heat pumps work?", "is a heat pump worth it? how does it heat a house from cold air"],
        """
        A heat pump works like a fridge in reverse. A fridge moves heat out of its inside and releases it
        at the back; a heat pump moves heat from the outside air (or ground) into your house.

        The cycle:
        1. A **refrigerant** fluid with a very low boiling point flows through an outdoor coil. Even when it's
           cold outside, the outdoor air is warmer than the refrigerant, so the refrigerant absorbs heat and
           evaporates.
        2. A **compressor** squeezes this gas, which makes it much hotter, just as a bicycle pump gets warm.
        3. The hot gas passes through an indoor heat exchanger, heating water for radiators or air, and
           condenses back to liquid.
        4. An **expansion valve** lowers its pressure and temperature, and the cycle repeats.

        The electricity only runs the compressor and fans; the heat itself comes from outside. That's why a
        heat pump typically delivers **3 to 4 kWh of heat for every 1 kWh of electricity** (a "coefficient of
        performance" of 3–4), while even the best gas boiler delivers less than 1 kWh of heat per kWh of gas.

        They still work at −15 °C or colder, though less efficiently. They perform best in well-insulated
        homes with larger radiators or underfloor heating, because they're most efficient at producing
        moderate water temperatures.
        """,
    ),
]

STUDY = [
    S(
        ["What's the best way to study for exams? I reread my notes but forget everything",
         "most effective study techniques backed by science"],
        """
        Rereading feels productive but is one of the least effective methods, because it creates a feeling of
        familiarity without real recall. Research points to these instead:

        1. **Active recall (retrieval practice)**: close the book and try to remember. Use flashcards, answer
           past exam questions, or write down everything you know about a topic from memory, then check.
           Struggling to remember is exactly what strengthens memory.
        2. **Spaced repetition**: review material over increasing intervals (1 day, 3 days, a week, two
           weeks...) instead of cramming. Apps like Anki schedule this automatically.
        3. **Interleaving**: mix different types of problems in one session, instead of doing 20 of the same
           type in a row. It's harder but teaches you to recognise which method to use.
        4. **Explain it simply** (the Feynman technique): teach the concept out loud, as if to a 12-year-old.
           Where you get stuck is where your understanding has gaps.
        5. **Sleep**: memories consolidate during sleep. An all-nighter before an exam usually costs more than
           it gains.

        A practical weekly routine: learn new material, then the same evening do a short self-test; review it
        again two or three days later with practice questions; and do a mixed practice exam at the end of the
        week.
        """,
    ),
    S(
        ["How do I write a good essay introduction?", "tips for writing an essay intro and thesis statement"],
        """
        A strong introduction usually does three things, often in this order:

        1. **Hook**: one or two sentences that make the reader care. A surprising fact, a short anecdote, a
           question, or a clear statement of why the topic matters. Avoid clichés like "Since the dawn of
           time..." or dictionary definitions.
        2. **Context**: the background the reader needs to follow your argument: key terms, the debate, the
           situation.
        3. **Thesis statement**: one or two sentences stating your main argument, which the rest of the essay
           will support. A good thesis is specific and arguable.
           - Weak: *"Social media has advantages and disadvantages."*
           - Strong: *"Although social media helps teenagers maintain friendships, its design, which rewards
             constant comparison, does more harm than good to their self-esteem, and schools should teach
             digital literacy to counter it."*

        Optionally, finish with a sentence that maps the essay's structure.

        A useful trick: write the introduction **last**, or revise it at the end, because your argument often
        becomes clearer while writing the body.
        """,
    ),
]

SHORT = [
    S(["hi", "hello", "hey", "Hi!", "hello there", "hey there"],
      "Hello! How can I help you today?"),
    S(["how are you?", "how are you doing today?"],
      "I'm doing well, thanks for asking! I'm an AI, so I don't have feelings in the human sense, but I'm "
      "ready to help. How are you, and what can I do for you today?"),
    S(["who are you?", "what are you?", "what can you do?"],
      """
      I'm an AI assistant, a language model trained to understand and generate text. I can help with things
      like answering questions, explaining concepts, writing and editing text, brainstorming, translating,
      summarising documents, and helping with code. I don't have access to the internet or your personal data
      unless you share it with me, and I can make mistakes, so it's worth double-checking important facts.

      What would you like to do?
      """),
    S(["tell me a joke", "Tell me a joke", "say something funny", "make me laugh"],
      """
      Why don't scientists trust atoms?

      Because they make up everything! 😄
      """,
      ("another one", """
       I told my computer I needed a break, and it said: "No problem, I'll go to sleep."
       """),
      ("lol ok one more, a programming one", """
       There are only 10 kinds of people in the world: those who understand binary, and those who don't.
       """)),
    S(["what's 15% of 80?", "15 percent of 80"], "15% of 80 is **12** (0.15 × 80 = 12)."),
    S(["how many days in a leap year?", "how many days does a leap year have"],
      "A leap year has **366 days**: February has 29 days instead of 28. Leap years happen every 4 years, "
      "except years divisible by 100 but not by 400 (so 2000 was a leap year, but 1900 wasn't)."),
    S(["what's the boiling point of water in fahrenheit?", "water boiling point F"],
      "Water boils at **212 °F** (100 °C) at sea level. At high altitude it boils at a lower temperature; "
      "in Denver, for example, it's about 202 °F."),
    S(["good morning", "good morning!"],
      "Good morning! ☀️ I hope your day is off to a good start. Is there anything I can help you with?"),
    S(["thanks", "thank you!"],
      "You're welcome! Let me know if there's anything else you need."),
    S(["what's the plural of cactus?", "plural of cactus"],
      "Both **cacti** and **cactuses** are correct. \"Cacti\" (from Latin) is more common in writing, and "
      "\"cactuses\" is also accepted by dictionaries."),
    S(["convert 5 miles to km", "5 miles in kilometers?"],
      "5 miles is about **8.05 km** (1 mile = 1.609 km)."),
    S(["what year did the Berlin Wall fall?", "when did the berlin wall come down"],
      "The Berlin Wall fell on **9 November 1989**, when East German authorities opened the border "
      "crossings. Germany was officially reunified less than a year later, on 3 October 1990."),
    S(["What is the chemical symbol for gold?", "gold chemical symbol?"],
      "The chemical symbol for gold is **Au**, from the Latin word *aurum*. Its atomic number is 79."),
    S(["can you help me?", "I need help"],
      "Of course! What do you need help with? Tell me a bit about the situation and I'll do my best."),
    S(["what's the square root of 144?", "sqrt 144"],
      "The square root of 144 is **12**, since 12 × 12 = 144."),
]


# =========================================================================================================
# Other languages. Each has its own phrasing kit and scenarios written in that language.
# =========================================================================================================

KITS["French"] = {
    "open": ["", "", "", "Bonjour, ", "Salut ! ", "Bonjour ! ", "J'ai une question : ", "Bonsoir, "],
    "ack": ["", "", "", "Bien sûr ! ", "Avec plaisir. ", "Bonne question ! ", "Volontiers. "],
    "next": ["Merci ! Autre question : ", "D'accord. Et sinon, ", "Super, merci. ", "Encore une chose : "],
    "thanks": [
        ("Merci beaucoup !", "Avec plaisir ! N'hésitez pas si vous avez d'autres questions."),
        ("merci, c'est très clair", "Je vous en prie ! Bonne continuation."),
        ("Parfait, merci pour ton aide.", "De rien ! Reviens quand tu veux."),
    ],
}

FRENCH = [
    S(
        ["Comment faire des crêpes ?", "recette de pâte à crêpes facile stp",
         "Tu peux me donner une recette de crêpes pour 4 personnes ?"],
        """
        Voici une recette classique pour une quinzaine de crêpes (4 personnes) :

        **Ingrédients**
        - 250 g de farine
        - 4 œufs
        - 50 cl de lait
        - 1 pincée de sel
        - 2 cuillères à soupe de sucre (facultatif)
        - 50 g de beurre fondu
        - 1 cuillère à soupe de rhum ou d'arôme vanille (facultatif)

        **Préparation**
        1. Mettez la farine, le sel et le sucre dans un saladier et creusez un puits au centre.
        2. Ajoutez les œufs et mélangez au fouet en incorporant peu à peu la farine.
        3. Versez le lait petit à petit, en fouettant pour éviter les grumeaux.
        4. Ajoutez le beurre fondu (et le rhum). La pâte doit être fluide, comme une crème liquide.
        5. Laissez reposer **au moins 1 heure** au réfrigérateur : les crêpes seront plus souples.
        6. Faites chauffer une poêle légèrement beurrée, versez une petite louche de pâte, inclinez la poêle
           pour bien l'étaler, et retournez la crêpe quand les bords se décollent (environ 1 minute par
           face).

        Astuce : si la pâte a des grumeaux, passez-la au mixeur quelques secondes. Bonne dégustation !
        """,
        ("Et pour des galettes de sarrasin ?",
         """
         Pour des galettes bretonnes, la pâte est différente : sans sucre et à base de farine de sarrasin.

         - 250 g de farine de sarrasin
         - 1 œuf
         - 1 cuillère à café de gros sel
         - environ 60 cl d'eau froide

         Mélangez la farine et le sel, ajoutez l'œuf puis l'eau progressivement, et battez la pâte quelques
         minutes pour l'aérer. Laissez reposer idéalement une nuit au frais. Faites cuire dans une poêle
         bien chaude et beurrée. Pour une « complète », garnissez avec du jambon, de l'emmental râpé et un
         œuf au plat, puis repliez les bords en carré. À déguster avec une bolée de cidre !
         """),
    ),
    S(
        ["Comment lire un fichier texte ligne par ligne en Python ?",
         "python : lire un fichier et compter les lignes qui contiennent un mot"],
        r"""
        La méthode la plus simple et la plus sûre utilise `with open(...)`, qui ferme automatiquement le
        fichier :

        ```python
        mot = "erreur"
        compteur = 0

        with open("journal.txt", encoding="utf-8") as fichier:
            for numero, ligne in enumerate(fichier, start=1):
                if mot in ligne.lower():
                    compteur += 1
                    print(f"{numero}: {ligne.rstrip()}")

        print(f"{compteur} ligne(s) contiennent « {mot} »")
        ```

        Quelques explications :
        - Itérer directement sur le fichier lit **une ligne à la fois**, donc ça fonctionne même avec des
          fichiers très volumineux.
        - `enumerate(..., start=1)` donne le numéro de ligne.
        - `ligne.rstrip()` enlève le retour à la ligne final avant l'affichage.
        - `ligne.lower()` rend la recherche insensible à la casse.

        Précisez toujours `encoding="utf-8"` pour éviter les problèmes d'accents sous Windows.
        """,
        ("Et si je veux écrire les lignes trouvées dans un autre fichier ?",
         r"""
         Il suffit d'ouvrir un second fichier en écriture dans le même bloc `with` :

         ```python
         with open("journal.txt", encoding="utf-8") as source, \
              open("erreurs.txt", "w", encoding="utf-8") as sortie:
             for ligne in source:
                 if mot in ligne.lower():
                     sortie.write(ligne)
         ```

         Le mode `"w"` écrase le fichier s'il existe déjà ; utilisez `"a"` pour ajouter à la fin.
         """),
    ),
    S(
        ["Pourquoi la mer est-elle salée ?", "pourquoi l'eau de mer est salée mais pas l'eau des rivières ?"],
        """
        Le sel de la mer vient principalement **des roches des continents**.

        1. L'eau de pluie est légèrement acide, car elle dissout un peu de dioxyde de carbone de l'air.
           En ruisselant, elle attaque lentement les roches et en arrache des minéraux : sodium, calcium,
           magnésium, potassium…
        2. Les rivières transportent ces minéraux dissous jusqu'à la mer. L'eau des rivières en contient
           aussi, mais en quantité si faible qu'on ne la trouve pas salée.
        3. Dans l'océan, l'eau s'évapore, mais **le sel, lui, ne s'évapore pas**. Il s'accumule donc
           depuis des centaines de millions d'années.
        4. Les sources hydrothermales au fond des océans et les volcans sous-marins apportent aussi du
           chlore et d'autres éléments.

        Aujourd'hui, l'eau de mer contient en moyenne environ **35 grammes de sel par litre**, surtout du
        chlorure de sodium, c'est-à-dire notre sel de cuisine. La mer Morte, elle, en contient près de dix
        fois plus, ce qui permet de flotter sans effort !
        """,
    ),
    S(
        ["Peux-tu m'expliquer quand utiliser le subjonctif ?", "le subjonctif en français, c'est quand ?"],
        """
        Le subjonctif exprime surtout ce qui n'est **pas présenté comme un fait certain** : un souhait, une
        obligation, un sentiment, un doute. On le trouve presque toujours après **« que »**.

        **Principaux cas :**
        - **Volonté, souhait** : *Je veux que tu **viennes**.* / *J'aimerais qu'il **fasse** beau.*
        - **Obligation** : *Il faut que nous **partions** tôt.*
        - **Sentiments** : *Je suis content que vous **soyez** là.* / *J'ai peur qu'il **soit** en retard.*
        - **Doute, possibilité** : *Je doute qu'elle **puisse** venir.* / *Il est possible qu'il **pleuve**.*
        - **Après certaines conjonctions** : *bien que, pour que, avant que, à condition que, sans que*.
          *Je t'explique pour que tu **comprennes**.*

        **Attention :** après *penser, croire, espérer* à la forme affirmative, on utilise l'indicatif :
        *Je pense qu'il **viendra**.* Mais à la forme négative ou interrogative, le subjonctif devient
        possible : *Je ne pense pas qu'il **vienne**.*

        Et après **« après que »**, la règle officielle demande l'indicatif, même si beaucoup de Français
        utilisent le subjonctif à l'oral !
        """,
        ("Comment on forme le subjonctif ?",
         """
         Pour la plupart des verbes, on part de la 3ᵉ personne du pluriel du présent de l'indicatif
         (*ils **finiss**ent*), on enlève *-ent*, et on ajoute les terminaisons :
         **-e, -es, -e, -ions, -iez, -ent**.

         - finir → ils finissent → que je finiss**e**, que nous finiss**ions**
         - parler → ils parlent → que tu parl**es**, que vous parl**iez**
         - prendre → ils prennent → que je prenn**e**, mais que nous pren**ions**

         Les principaux irréguliers sont à apprendre par cœur : **être** (que je sois, que nous soyons),
         **avoir** (que j'aie), **aller** (que j'aille), **faire** (que je fasse), **pouvoir** (que je
         puisse), **savoir** (que je sache), **vouloir** (que je veuille).
         """),
    ),
    S(
        ["Écris un petit poème sur la pluie", "un poème court sur la pluie d'automne stp"],
        """
        ~~~
        **Pluie de novembre**

        La pluie écrit sur les carreaux
        des lettres que personne ne lit,
        elle frappe doucement aux volets
        comme une amie qui vient la nuit.

        Les toits luisent, les rues se taisent,
        les parapluies font des jardins,
        et chaque flaque, sans un mot,
        garde un morceau de ciel gris.

        Demain peut-être, le soleil,
        mais ce soir j'écoute, à l'abri,
        la pluie raconter à la ville
        tout ce que l'été n'a pas dit.
        ~~~
        """,
    ),
    S(
        ["Rédige un email à mon responsable {NAME} pour demander un jour de congé vendredi prochain",
         "aide-moi à écrire un mail pour demander un congé à {NAME}, ma cheffe"],
        """
        **Objet :** Demande de congé – vendredi 14 juin

        Bonjour {NAME},

        Je souhaiterais poser un jour de congé le **vendredi 14 juin** pour des raisons personnelles.

        J'ai vérifié le planning de l'équipe : aucune réunion importante n'est prévue ce jour-là, et je
        terminerai le rapport mensuel d'ici jeudi soir. En cas de besoin, Julien a accepté de me remplacer
        pour le suivi des demandes clients.

        Pourriez-vous me confirmer si cela vous convient ?

        Je vous remercie par avance.

        Bien cordialement,
        {NAME2}
        """,
        ("Tu peux le rendre un peu moins formel ? On se tutoie.",
         """
         **Objet :** Congé vendredi 14 ?

         Salut {NAME},

         Est-ce que je pourrais prendre mon vendredi 14 juin ? Rien d'important n'est prévu ce jour-là,
         le rapport mensuel sera bouclé jeudi, et Julien peut gérer les demandes clients en mon absence.

         Dis-moi si c'est bon pour toi !

         Merci,
         {NAME2}
         """),
    ),
    S(
        ["Je pars 3 jours en Bretagne, qu'est-ce que je peux visiter ?",
         "idées de visite pour un week-end prolongé en Bretagne"],
        """
        Trois jours, c'est parfait pour découvrir une partie de la Bretagne. Voici un itinéraire centré sur
        le nord, facile à faire en voiture :

        **Jour 1 : Saint-Malo et Dinan**
        - Promenade sur les remparts de Saint-Malo et, à marée basse, accès à pied au Grand Bé.
        - L'après-midi, Dinan : vieille ville médiévale, maisons à colombages, port sur la Rance.

        **Jour 2 : la côte de Granit rose**
        - Le sentier des douaniers entre Perros-Guirec et Ploumanac'h, avec ses rochers roses aux formes
          étonnantes (environ 2 heures de marche facile).
        - Crêpes et cidre dans une crêperie du port, évidemment.

        **Jour 3 : presqu'île de Crozon ou Mont-Saint-Michel**
        - Si vous allez vers l'ouest : la pointe de Pen-Hir et les falaises de Crozon.
        - Si vous rentrez vers l'est : le Mont-Saint-Michel (techniquement en Normandie, mais tout près !).
          Vérifiez les horaires des marées.

        Pensez à prendre un coupe-vent et une couche chaude : en Bretagne, il peut faire quatre saisons
        dans la même journée !
        """,
    ),
    S(
        ["Qu'est-ce que le bonheur selon les philosophes ?", "c'est quoi le bonheur en philosophie ?"],
        """
        La question traverse toute l'histoire de la philosophie. Quelques grandes réponses :

        - **Aristote** : le bonheur (*eudaimonia*) est le but ultime de la vie humaine. Il consiste à vivre
          selon la vertu et la raison, et à réaliser ce qu'il y a de meilleur en nous. Ce n'est pas un état
          passager mais une vie accomplie.
        - **Épicure** : le bonheur est l'absence de troubles du corps et de l'âme (*ataraxie*). Il ne s'agit
          pas de multiplier les plaisirs, mais de choisir les plaisirs simples et de se libérer des peurs,
          notamment de la mort.
        - **Les stoïciens** (Épictète, Sénèque) : le bonheur dépend de ce qui dépend de nous, c'est-à-dire
          nos jugements. Il faut accepter ce qui ne dépend pas de nous.
        - **Kant** : le bonheur est un idéal de l'imagination, trop vague pour guider la morale. Mieux vaut
          chercher à être **digne** d'être heureux en agissant par devoir.
        - **Spinoza** : la joie vient de la compréhension ; plus nous comprenons ce qui nous détermine, plus
          nous sommes libres et heureux.

        Une question de dissertation classique en découle : *le bonheur est-il affaire de chance ou de
        volonté ?*
        """,
        ("Tu pourrais me proposer un plan pour cette dissertation ?",
         """
         Voici un plan possible en trois parties :

         **Introduction** : partir de l'étymologie (*bon-heur* : la bonne chance, le bon augure), qui suggère
         que le bonheur nous arrive sans que nous le décidions. Problématique : si le bonheur dépend des
         circonstances, peut-on vraiment le construire ?

         **I. Le bonheur semble dépendre de la chance**
         - La santé, la naissance, les rencontres échappent à notre contrôle.
         - Aristote lui-même reconnaît que les « biens extérieurs » sont nécessaires à une vie heureuse.

         **II. Pourtant, le bonheur dépend largement de notre volonté et de nos jugements**
         - Épicure : une discipline des désirs rend le bonheur accessible.
         - Les stoïciens : ce qui nous trouble, ce ne sont pas les choses mais nos jugements sur les choses.

         **III. Le bonheur comme rencontre entre chance et volonté**
         - Savoir saisir les occasions : la volonté transforme la chance en bonheur.
         - Kant : nous ne pouvons pas garantir le bonheur, mais nous pouvons nous en rendre dignes.

         **Conclusion** : le bonheur n'est ni pur hasard ni pure maîtrise ; il relève d'un art de vivre.
         """),
    ),
    S(
        ["Quelles sont les causes de la Révolution française "
         "?", "résume les causes de la révolution de 1789"],
        """
        On distingue généralement plusieurs causes qui se renforcent :

        1. **Une crise financière** : l'État est presque en faillite, notamment après la coûteuse
           participation à la guerre d'indépendance américaine. Les réformes fiscales échouent face à
           l'opposition des privilégiés.
        2. **Une société d'ordres injuste** : le clergé et la noblesse bénéficient de privilèges, notamment
           fiscaux, alors que le tiers état (environ 98 % de la population) supporte l'essentiel des impôts.
        3. **Une crise économique et sociale** : la mauvaise récolte de 1788 fait flamber le prix du pain ;
           au printemps 1789, une famille pauvre peut y consacrer plus de la moitié de ses revenus.
        4. **Les idées des Lumières** : Montesquieu, Voltaire, Rousseau critiquent l'absolutisme, défendent
           la séparation des pouvoirs, la liberté et la souveraineté du peuple.
        5. **Une crise politique** : pour trouver de l'argent, Louis XVI convoque les États généraux en mai
           1789. Le tiers état réclame le vote par tête et se proclame Assemblée nationale le 17 juin.

        La prise de la Bastille, le 14 juillet 1789, devient ensuite le symbole du début de la Révolution.
        """,
    ),
    S(
        ["J'ai mal au dos à force de travailler assis, des conseils ?",
         "douleurs lombaires télétravail, que faire ?"],
        """
        C'est très courant avec le travail de bureau. Quelques conseils efficaces :

        **Votre poste de travail**
        - Le haut de l'écran au niveau des yeux, à environ une longueur de bras.
        - Les pieds à plat au sol (ou sur un repose-pieds), les genoux à peu près à hauteur des hanches.
        - Le bas du dos soutenu par le dossier ; un petit coussin peut aider.
        - Avec un ordinateur portable, utilisez un support et un clavier séparé.

        **Bouger régulièrement**
        - Levez-vous toutes les 30 à 45 minutes, même une minute : aller chercher de l'eau, téléphoner debout.
        - Quelques étirements simples : genoux vers la poitrine, rotation douce du buste, position de
          l'enfant en yoga.
        - Marchez au moins 20 à 30 minutes par jour ; le renforcement des abdominaux et des fessiers aide
          aussi beaucoup.

        **Consultez un médecin** si la douleur dure plus de quelques semaines, descend dans la jambe,
        s'accompagne de fourmillements, de faiblesse, de fièvre, ou si elle est apparue après une chute.
        Un kinésithérapeute peut aussi vous proposer des exercices adaptés.
        """,
    ),
    S(
        ["bonjour", "Bonjour !", "salut"],
        "Bonjour ! Comment puis-je vous aider aujourd'hui ?",
    ),
    S(
        ["Quelle est la différence entre la météo et le climat ?", "météo vs climat, c'est pareil ?"],
        """
        Non, ce n'est pas la même chose, même si les deux sont liés :

        - **La météo** décrit le temps qu'il fait **à un endroit et à un moment donnés** : il pleut
          aujourd'hui à Lille, il fera 30 °C demain à Marseille. Elle change d'heure en heure et se prévoit
          sur quelques jours.
        - **Le climat** correspond aux **conditions moyennes sur une longue période**, en général 30 ans,
          pour une région : températures moyennes, précipitations, saisons. Par exemple, le climat
          méditerranéen se caractérise par des étés chauds et secs et des hivers doux.

        Une image souvent utilisée : la météo, c'est votre humeur du jour ; le climat, c'est votre
        caractère. C'est pourquoi un hiver très froid ne contredit pas le réchauffement climatique : on
        regarde la tendance sur des décennies, pas un épisode isolé.
        """,
    ),
]

KITS["Spanish"] = {
    "open": ["", "", "", "Hola, ", "¡Hola! ", "Buenas, ", "Tengo una pregunta: ", "Oye, "],
    "ack": ["", "", "", "¡Claro! ", "¡Por supuesto! ", "Buena pregunta. ", "Con gusto. "],
    "next": ["Gracias. Otra pregunta: ", "Vale, y otra cosa: ", "Perfecto. ", "Genial, gracias. "],
    "thanks": [
        ("¡Muchas gracias!", "¡De nada! Si tienes más preguntas, aquí estoy."),
        ("gracias, me sirvió mucho", "¡Me alegra que te haya servido! Mucha suerte."),
        ("Perfecto, gracias.", "¡A ti! Que tengas un buen día."),
    ],
}

SPANISH = [
    S(
        ["¿Cómo se hace una tortilla de patatas?", "receta de tortilla española con cebolla",
         "dame la receta de la tortilla de patata tradicional"],
        """
        Aquí tienes la receta clásica (con cebolla, que es como la hace la mayoría, aunque el debate sigue
        abierto 😄):

        **Ingredientes (4 personas)**
        - 5-6 huevos
        - 4 patatas medianas (unos 700 g)
        - 1 cebolla
        - Aceite de oliva virgen extra (bastante, unos 250 ml para freír)
        - Sal

        **Preparación**
        1. Pela las patatas y córtalas en láminas finas o en trocitos irregulares. Pica la cebolla.
        2. Calienta abundante aceite en una sartén a fuego medio y echa las patatas con sal. Deben
           **pocharse**, no freírse: cocinarse lentamente unos 20 minutos, removiendo de vez en cuando.
           Añade la cebolla a mitad de tiempo.
        3. Escurre bien las patatas y la cebolla (guarda el aceite para otras recetas).
        4. Bate los huevos con una pizca de sal, mezcla con las patatas calientes y deja reposar 5 minutos.
        5. Pon una sartén con un par de cucharadas de aceite a fuego medio-alto, vierte la mezcla y cuaja
           2-3 minutos, despegando los bordes.
        6. Dale la vuelta con ayuda de un plato grande, con un gesto rápido y firme, y cuaja el otro lado
           1-2 minutos más.

        Si te gusta jugosa por dentro, no la cuajes demasiado. ¡Buen provecho!
        """,
        ("¿Y si no me atrevo a darle la vuelta?",
         """
         ¡Es el momento más temido! Algunos trucos:

         - Usa un plato **más grande que la sartén** y plano, o una tapa de sartén especial para tortillas.
         - Asegúrate de que la tortilla se **despega bien**: mueve la sartén en círculos; si se desliza, está
           lista para girar.
         - Hazlo **sobre el fregadero**, por si gotea algo de huevo.
         - Un gesto **rápido y decidido**: si dudas a mitad, es cuando se rompe.

         Y si no quieres arriesgarte: termina de cuajarla en el horno a 180 °C durante unos 5-8 minutos
         (si la sartén lo permite), o en el grill. Queda muy bien y sin sustos.
         """),
    ),
    S(
        ["¿Cuál es la diferencia entre ser y estar?", "no entiendo cuándo usar ser o estar en español"],
        """
        Es una de las dudas más comunes al aprender español. La regla general:

        **SER** se usa para características esenciales o permanentes, la identidad:
        - Identidad y profesión: *Soy Ana. Es médica.*
        - Origen y nacionalidad: *Somos de México.*
        - Características: *La casa es grande. Él es simpático.*
        - Hora y fecha: *Son las tres. Hoy es lunes.*
        - Material y posesión: *La mesa es de madera. El libro es mío.*
        - Eventos (dónde ocurren): *La fiesta es en mi casa.*

        **ESTAR** se usa para estados, situaciones y ubicación:
        - Ubicación de personas y cosas: *Madrid está en el centro de España.*
        - Estados temporales y emociones: *Estoy cansado. Está enfadada.*
        - Resultado de un cambio: *La ventana está rota.*
        - Con gerundio: *Estamos comiendo.*

        Algunos adjetivos cambian de significado:
        - *Es listo* (inteligente) / *Está listo* (preparado)
        - *Es aburrido* (no es interesante) / *Está aburrido* (siente aburrimiento)
        - *Es malo* (mala persona) / *Está malo* (enfermo)

        ¡Ojo! *Estar muerto* usa estar, aunque sea permanente. La gramática a veces tiene sentido del humor.
        """,
    ),
    S(
        ["¿Cómo puedo invertir la cadena de texto en JavaScript?",
         "javascript: función para saber si una palabra es palíndromo"],
        r"""
        Para invertir un texto en JavaScript, lo habitual es convertirlo en un array, invertirlo y volver a
        unirlo:

        ```javascript
        function invertir(texto) {
          return [...texto].reverse().join("");
        }

        function esPalindromo(texto) {
          const limpio = texto
            .toLowerCase()
            .normalize("NFD")
            .replace(/[\u0300-\u036f]/g, "")  // quita tildes: "á" -> "a"
            .replace(/[^a-z0-9ñ]/g, "");       // quita espacios y signos
          return limpio === invertir(limpio);
        }

        console.log(invertir("hola"));                        // "aloh"
        console.log(esPalindromo("Anita lava la tina"));      // true
        console.log(esPalindromo("Dábale arroz a la zorra el abad")); // true
        ```

        Uso `[...texto]` en lugar de `texto.split("")` porque respeta caracteres especiales como los
        emojis, que ocupan dos unidades en JavaScript. La función `normalize("NFD")` separa las letras de sus
        tildes para poder eliminarlas y comparar solo las letras.
        """,
    ),
    S(
        ["Quiero viajar a México dos semanas, ¿qué ruta me recomiendas?",
         "itinerario de 15 días por méxico, primera vez"],
        """
        ¡Qué buen plan! Dos semanas dan para una ruta muy completa. Una propuesta clásica:

        **Días 1-4: Ciudad de México**
        - Centro Histórico: Zócalo, Catedral, Templo Mayor y el Palacio de Bellas Artes.
        - Museo Nacional de Antropología (resérvale medio día como mínimo).
        - Coyoacán y la Casa Azul de Frida Kahlo (compra las entradas con antelación).
        - Excursión a Teotihuacán: sube temprano a la Pirámide del Sol.

        **Días 5-7: Oaxaca**
        - Su gastronomía es famosa: mole, tlayudas, chapulines si te atreves, y mezcal.
        - Monte Albán, Hierve el Agua y los pueblos artesanos de los alrededores.

        **Días 8-9: San Cristóbal de las Casas (Chiapas)**
        - Ciudad colonial en la montaña y el Cañón del Sumidero.

        **Días 10-14: Península de Yucatán**
        - Palenque (de camino, si te organizas bien), Mérida y Chichén Itzá.
        - Nadar en cenotes, y terminar en la costa: Tulum, Bacalar o Holbox.

        **Consejos:** los vuelos internos ahorran mucho tiempo (por ejemplo, Oaxaca–Tuxtla o
        Tuxtla–Mérida); en los trayectos largos en autobús, ADO es cómodo y seguro; y bebe siempre agua
        embotellada o filtrada.
        """,
        ("¿Cuál es la mejor época para ir?",
         """
         La mejor época suele ser la **temporada seca, de noviembre a abril**: días soleados, menos humedad y
         temperaturas agradables en casi todo el país. Ten en cuenta:

         - **Diciembre, Semana Santa y julio-agosto** son temporada alta: más gente y precios más altos.
         - **De junio a octubre** es temporada de lluvias: suelen ser chaparrones por la tarde, pero en el
           Caribe también es temporada de huracanes (sobre todo de agosto a octubre).
         - Si quieres vivir el **Día de Muertos** (1 y 2 de noviembre), Oaxaca y Ciudad de México son
           espectaculares, pero reserva con meses de antelación.

         Para tu ruta, **finales de noviembre o febrero-marzo** serían ideales.
         """),
    ),
    S(
        ["Escríbeme un poema corto sobre el mar", "poema sobre el mar y la nostalgia"],
        """
        ~~~
        **El mar de mi infancia**

        Vuelvo al mar como quien vuelve
        a una casa sin paredes,
        donde el viento sabe mi nombre
        y la sal recuerda mis pies.

        Las olas cuentan, una a una,
        los veranos que se fueron;
        la espuma borra lo que escribo
        y lo escribe de nuevo.

        Aquí fui niño, aquí fui arena,
        aquí aprendí que todo vuelve:
        la marea, las gaviotas,
        y este amor que no se pierde.
        ~~~
        """,
    ),
    S(
        ["¿Qué fue la Guerra Civil española? Resumen breve",
         "explícame la guerra civil española en pocas palabras"],
        """
        La Guerra Civil española (1936-1939) enfrentó a dos bandos:

        - **El bando republicano**, leal al gobierno de la Segunda República, formado por socialistas,
          comunistas, anarquistas, republicanos de izquierda y nacionalistas vascos y catalanes.
        - **El bando sublevado** («nacional»), formado por militares, falangistas, carlistas, monárquicos y
          gran parte de la Iglesia y de los sectores conservadores.

        **Causas:** una sociedad muy polarizada, conflictos por la reforma agraria, la cuestión religiosa y
        las autonomías regionales, y la violencia política creciente tras las elecciones de febrero de 1936,
        ganadas por el Frente Popular.

        **Desarrollo:** el golpe de Estado del 17-18 de julio de 1936 fracasó en parte del país, y se
        convirtió en una guerra. Los sublevados, dirigidos por el general Francisco Franco, recibieron
        apoyo de la Alemania nazi y la Italia fascista (el bombardeo de Guernica en 1937 es un ejemplo); la
        República recibió ayuda de la Unión Soviética y de las Brigadas Internacionales.

        **Final:** la guerra terminó el 1 de abril de 1939 con la victoria franquista. Siguió una dictadura
        que duró hasta la muerte de Franco en 1975. Se calcula que la guerra y la represión posterior
        causaron cientos de miles de muertos, y cientos de miles de personas se exiliaron.
        """,
    ),
    S(
        ["¿Cómo puedo ahorrar más dinero cada mes?", "consejos para ahorrar si gano poco"],
        """
        Ahorrar con un sueldo ajustado es difícil, pero pequeños cambios suman. Algunas ideas prácticas:

        1. **Apunta todos tus gastos durante un mes.** Sin saber a dónde va el dinero, es imposible
           ajustar. Muchas apps bancarias ya los clasifican.
        2. **Págate a ti primero:** programa una transferencia automática a una cuenta de ahorro el día que
           cobras, aunque sean 30 o 50 euros. Lo que no ves, no lo gastas.
        3. **Revisa los gastos fijos:** tarifas de móvil e internet, seguros, suscripciones que no usas.
           Llamar para negociar o cambiar de compañía puede ahorrar bastante al año.
        4. **Comida:** planifica los menús de la semana, haz lista de la compra y cocina en casa. Llevar
           táper al trabajo es uno de los mayores ahorros.
        5. **La regla de las 48 horas:** antes de una compra no necesaria, espera dos días. Muchas veces las
           ganas desaparecen.
        6. **Fondo de emergencia:** tu primer objetivo debería ser tener al menos un mes de gastos ahorrado,
           para no recurrir a tarjetas de crédito ante un imprevisto.

        Lo importante es la constancia más que la cantidad: ahorrar un poco cada mes crea el hábito.
        """,
    ),
    S(
        ["Escribe un correo a {NAME} para agradecerle la entrevista de trabajo",
         "correo de agradecimiento después de una entrevista con {NAME}"],
        """
        **Asunto:** Agradecimiento por la entrevista – puesto de Administrativo/a

        Estimado/a {NAME}:

        Le escribo para agradecerle el tiempo que me dedicó ayer durante la entrevista para el puesto de
        administrativo/a. Fue un placer conocer más sobre el equipo y los proyectos de la empresa.

        Me pareció especialmente interesante lo que comentó sobre la digitalización de los procesos de
        facturación. Como le mencioné, en mi puesto actual participé en un proyecto similar, y me
        encantaría aportar esa experiencia.

        Quedo a su disposición para cualquier información adicional que necesite.

        Un cordial saludo,
        {NAME2}
        """,
    ),
    S(
        ["hola", "Hola!", "buenas"],
        "¡Hola! ¿En qué puedo ayudarte hoy?",
    ),
    S(
        ["¿Por qué los gatos caen siempre de pie?", "¿es verdad que los gatos siempre caen de pie?"],
        """
        No *siempre*, pero tienen una habilidad impresionante llamada **reflejo de enderezamiento**.

        Cuando un gato cae, su oído interno (el sistema vestibular) detecta en qué dirección está el suelo.
        Entonces:

        1. Gira primero la **cabeza** hacia abajo.
        2. Dobla el cuerpo por la mitad y gira la parte delantera mientras recoge las patas delanteras, y
           después gira la parte trasera. Así puede rotar sin tener nada en lo que apoyarse, algo que
           intrigó a los físicos durante mucho tiempo.
        3. Extiende las patas y arquea la espalda para amortiguar el impacto.

        Este reflejo aparece hacia las 3-4 semanas de vida y está completamente desarrollado a las 7 semanas.

        Aun así, las caídas son peligrosas: los veterinarios hablan del «síndrome del gato paracaidista»,
        porque muchos gatos se hacen daño al caer de ventanas y balcones. ¡Conviene poner redes de
        protección!
        """,
    ),
]

KITS["German"] = {
    "open": ["", "", "", "Hallo, ", "Hallo! ", "Hi, ", "Kurze Frage: ", "Guten Tag, "],
    "ack": ["", "", "", "Klar! ", "Gerne! ", "Gute Frage. ", "Natürlich. "],
    "next": ["Danke! Noch eine Frage: ", "Alles klar. Und ", "Super, danke. ", "Eine Sache noch: "],
    "thanks": [
        ("Vielen Dank!", "Gern geschehen! Melde dich, wenn du noch Fragen hast."),
        ("danke, das hilft mir sehr", "Das freut mich! Viel Erfolg."),
        ("Perfekt, danke dir.", "Sehr gerne!"),
    ],
}

GERMAN = [
    S(
        ["Wie backe ich einen einfachen Apfelkuchen?", "rezept für versunkenen apfelkuchen bitte",
         "Hast du ein einfaches Rezept für Apfelkuchen vom Blech?"],
        """
        Hier ist ein Rezept für einen klassischen **versunkenen Apfelkuchen** (Springform, 26 cm):

        **Zutaten**
        - 125 g weiche Butter
        - 125 g Zucker
        - 1 Päckchen Vanillezucker
        - 3 Eier
        - 200 g Mehl
        - 2 TL Backpulver
        - 3 EL Milch
        - 3–4 säuerliche Äpfel (z. B. Boskop oder Elstar)
        - etwas Zitronensaft, Puderzucker zum Bestäuben

        **Zubereitung**
        1. Den Backofen auf 180 °C Ober-/Unterhitze vorheizen und die Form einfetten.
        2. Äpfel schälen, vierteln, entkernen und die Rückseite mehrmals längs einritzen. Mit Zitronensaft
           beträufeln, damit sie nicht braun werden.
        3. Butter, Zucker und Vanillezucker schaumig rühren, dann die Eier einzeln unterrühren.
        4. Mehl und Backpulver mischen und abwechselnd mit der Milch unterrühren.
        5. Den Teig in die Form streichen und die Apfelviertel mit der eingeritzten Seite nach oben leicht
           hineindrücken.
        6. Etwa 40–45 Minuten backen (Stäbchenprobe!). Abkühlen lassen und mit Puderzucker bestäuben.

        Dazu passt Schlagsahne oder eine Kugel Vanilleeis. Guten Appetit!
        """,
        ("Kann ich auch Birnen nehmen?",
         """
         Ja, das funktioniert sehr gut! Nimm feste, nicht zu reife Birnen (z. B. Conference oder Williams),
         sonst werden sie beim Backen matschig und geben zu viel Saft ab. Eine Prise Zimt oder etwas
         geriebener Ingwer im Teig passt wunderbar zu Birnen, und ein paar gehackte Walnüsse oder
         Schokoladenstückchen machen den Kuchen noch besser. Die Backzeit bleibt ungefähr gleich.
         """),
    ),
    S(
        ["Was ist der Unterschied zwischen 'seit' und 'seid'?", "seit oder seid, wann schreibt man was?"],
        """
        Die beiden Wörter klingen gleich, haben aber ganz unterschiedliche Funktionen:

        - **seit** (mit **t**) bezieht sich auf die **Zeit**: *seit gestern, seit drei Jahren, seit ich
          hier wohne.*
          Eselsbrücke: **t** wie **T**ime/**Z**eit.
        - **seid** (mit **d**) ist eine **Form des Verbs „sein"** (2. Person Plural): *Ihr seid toll. Seid
          leise!*

        Test: Wenn du „ihr" davorsetzen kannst, schreibst du **seid**.

        - *Wir warten **seit** einer Stunde.* (Zeit)
        - *Wo **seid** ihr gerade?* (Verb)
        """,
    ),
    S(
        ["Wie funktioniert eine Wärmepumpe?", "lohnt sich eine wärmepumpe im altbau?"],
        """
        Eine Wärmepumpe funktioniert im Prinzip wie ein umgekehrter Kühlschrank: Sie entzieht der Umgebung
        (Luft, Erdreich oder Grundwasser) Wärme und gibt sie ans Heizsystem im Haus ab.

        1. Ein **Kältemittel** mit sehr niedrigem Siedepunkt nimmt draußen Wärme auf und verdampft, selbst
           bei Minusgraden.
        2. Ein **Verdichter** komprimiert das Gas, dadurch steigt seine Temperatur stark an.
        3. Im **Wärmetauscher** gibt das heiße Gas seine Wärme an das Heizungswasser ab und kondensiert.
        4. Ein **Expansionsventil** senkt den Druck wieder, und der Kreislauf beginnt von vorn.

        Aus 1 kWh Strom entstehen so typischerweise **3 bis 4 kWh Wärme** (Jahresarbeitszahl).

        **Im Altbau** kann sich eine Wärmepumpe lohnen, wenn:
        - die Vorlauftemperatur nicht zu hoch sein muss (ideal unter 55 °C),
        - das Haus halbwegs gedämmt ist und die Heizkörper groß genug sind (einzelne Heizkörper kann man
          austauschen),
        - ein Energieberater eine Heizlastberechnung macht.

        Viele Altbauten lassen sich gut mit Wärmepumpe heizen; oft reichen kleinere Maßnahmen wie neue
        Fenster oder größere Heizkörper in einzelnen Räumen. Informiere dich auch über aktuelle
        Förderprogramme.
        """,
    ),
    S(
        ["Schreib mir ein SQL-Query, das die Anzahl der Bestellungen pro Kunde zählt",
         "sql: bestellungen pro kunde zählen, auch kunden ohne bestellung"],
        r"""
        Mit einem `LEFT JOIN` werden auch Kunden ohne Bestellungen berücksichtigt:

        ```sql
        SELECT k.kunden_id,
               k.name,
               COUNT(b.bestell_id) AS anzahl_bestellungen,
               COALESCE(SUM(b.betrag), 0) AS umsatz
        FROM kunden k
        LEFT JOIN bestellungen b ON b.kunden_id = k.kunden_id
        GROUP BY k.kunden_id, k.name
        ORDER BY anzahl_bestellungen DESC;
        ```

        Wichtig:
        - `COUNT(b.bestell_id)` zählt nur vorhandene Bestellungen; Kunden ohne Bestellung erhalten **0**.
          `COUNT(*)` würde hier fälschlicherweise 1 liefern.
        - `COALESCE(SUM(...), 0)` ersetzt `NULL` durch 0 beim Umsatz.

        Nur Kunden mit mehr als 5 Bestellungen bekommst du mit `HAVING COUNT(b.bestell_id) > 5` nach dem
        `GROUP BY`.
        """,
    ),
    S(
        ["Was sind die Ursachen für den Fall der Berliner Mauer?", "warum ist 1989 die mauer gefallen?"],
        """
        Der Mauerfall am 9. November 1989 hatte mehrere Ursachen, die zusammenkamen:

        1. **Wirtschaftliche Krise der DDR**: Die Planwirtschaft war ineffizient, die DDR hoch verschuldet,
           und der Lebensstandard blieb weit hinter dem Westen zurück.
        2. **Reformen in der Sowjetunion**: Michail Gorbatschow setzte auf *Glasnost* (Offenheit) und
           *Perestroika* (Umbau) und machte klar, dass die Sowjetunion Reformbewegungen in den
           Bruderstaaten nicht mehr militärisch niederschlagen würde.
        3. **Fluchtwelle**: Im Sommer 1989 öffnete Ungarn seine Grenze zu Österreich. Tausende DDR-Bürger
           flohen über Ungarn oder besetzten die westdeutschen Botschaften in Prag und Warschau.
        4. **Friedliche Revolution**: Ab September gingen immer mehr Menschen auf die Straße, vor allem bei
           den Montagsdemonstrationen in Leipzig („Wir sind das Volk!"). Am 9. Oktober demonstrierten dort
           rund 70.000 Menschen, ohne dass die Staatsmacht eingriff.
        5. **Eine verpatzte Pressekonferenz**: Am Abend des 9. November verkündete SED-Funktionär Günter
           Schabowski eine neue Reiseregelung und sagte auf Nachfrage, sie gelte „sofort, unverzüglich".
           Tausende strömten daraufhin zu den Grenzübergängen, bis die Grenzer die Schlagbäume öffneten.

        Knapp ein Jahr später, am 3. Oktober 1990, wurde Deutschland wiedervereinigt.
        """,
    ),
    S(
        ["Schreib ein kurzes Gedicht über den Winter", "gedicht über schnee, kurz und schön"],
        """
        ~~~
        **Erster Schnee**

        Über Nacht hat jemand leise
        alle Dächer zugedeckt,
        hat die Wege, hat die Gärten
        unter weißem Tuch versteckt.

        Kinderspuren, Vogelzeichen,
        Stille, die man hören kann;
        und die Welt fängt, frisch gewaschen,
        wieder ganz von vorne an.
        ~~~
        """,
    ),
    S(
        ["Wie kann ich mich besser konzentrieren beim Lernen?", "tipps gegen ablenkung beim lernen am handy"],
        """
        Hier ein paar Strategien, die nachweislich helfen:

        1. **Handy aus dem Raum.** Schon ein Smartphone in Sichtweite kann die Konzentration messbar
           verringern, selbst wenn es lautlos ist.
        2. **Pomodoro-Technik**: 25 Minuten konzentriert arbeiten, dann 5 Minuten Pause. Nach vier Runden
           eine längere Pause von 15–30 Minuten.
        3. **Ein klares Ziel pro Einheit**: nicht „Bio lernen", sondern „Kapitel 4 zusammenfassen und 10
           Karteikarten schreiben".
        4. **Aktiv lernen** statt nur lesen: sich selbst abfragen, Inhalte in eigenen Worten erklären,
           Übungsaufgaben rechnen.
        5. **Fester Lernort und feste Zeiten**: Das Gehirn gewöhnt sich daran und schaltet schneller in den
           Arbeitsmodus.
        6. **Grundlagen nicht vergessen**: ausreichend Schlaf, regelmäßig trinken, Bewegung in den Pausen.

        Und: Konzentration ist wie ein Muskel. Wenn du anfangs nur 15 Minuten schaffst, ist das völlig in
        Ordnung. Steigere dich langsam.
        """,
    ),
    S(
        ["Schreibe eine E-Mail an meinen Vermieter {NAME}, dass die Heizung kaputt ist",
         "mail an vermieter {NAME}: heizung geht nicht, bitte um reparatur"],
        """
        **Betreff:** Defekte Heizung in der Wohnung – Bitte um zeitnahe Reparatur

        Sehr geehrte/r {NAME},

        ich möchte Ihnen mitteilen, dass die Heizung in meiner Wohnung (Hauptstraße 12, 2. OG links) seit
        gestern Abend nicht mehr funktioniert. Die Heizkörper bleiben in allen Räumen kalt, und die
        Anzeige am Thermostat zeigt eine Fehlermeldung.

        Da die Temperaturen nachts aktuell unter den Gefrierpunkt fallen, bitte ich Sie, möglichst bald
        einen Handwerker zu beauftragen. Ich bin werktags ab 16 Uhr sowie am Samstag ganztägig erreichbar
        und kann den Zugang zur Wohnung ermöglichen.

        Für eine kurze Rückmeldung, wann mit der Reparatur zu rechnen ist, wäre ich Ihnen dankbar.

        Mit freundlichen Grüßen
        {NAME2}
        """,
    ),
    S(["Hallo", "hallo!", "Moin"], "Hallo! Wie kann ich dir heute helfen?"),
]

KITS["Portuguese"] = {
    "open": ["", "", "", "Olá, ", "Oi! ", "Bom dia, ", "Tenho uma dúvida: ", "Boa noite, "],
    "ack": ["", "", "", "Claro! ", "Com certeza! ", "Boa pergunta. ", "Com prazer. "],
    "next": ["Obrigado! Outra pergunta: ", "Beleza. E ", "Perfeito. ", "Mais uma coisa: "],
    "thanks": [
        ("Muito obrigado!", "De nada! Se tiver mais dúvidas, é só perguntar."),
        ("valeu, ajudou muito", "Que bom que ajudou! Boa sorte!"),
        ("Perfeito, obrigada.", "Por nada! Tenha um ótimo dia."),
    ],
}

PORTUGUESE = [
    S(
        ["Como fazer brigadeiro?", "receita de brigadeiro tradicional", "me passa uma receita de brigadeiro"],
        """
        O brigadeiro é um dos doces mais queridos do Brasil e é muito fácil de fazer!

        **Ingredientes (cerca de 25 unidades)**
        - 1 lata de leite condensado (395 g)
        - 1 colher (sopa) de manteiga
        - 3 colheres (sopa) de chocolate em pó ou cacau
        - Chocolate granulado para decorar

        **Modo de preparo**
        1. Numa panela, coloque o leite condensado, a manteiga e o chocolate em pó.
        2. Cozinhe em **fogo baixo**, mexendo sem parar com uma colher de pau ou espátula.
        3. Depois de uns 10 a 15 minutos, a massa engrossa e começa a **desgrudar do fundo da panela**
           quando você inclina: esse é o ponto.
        4. Transfira para um prato untado com manteiga e deixe esfriar completamente.
        5. Com as mãos untadas, enrole bolinhas e passe no granulado.
        6. Coloque em forminhas de papel.

        Dica: se quiser comer de colher, desligue o fogo um pouco antes do ponto de enrolar; fica mais
        cremoso.
        """,
        ("Dá pra fazer uma versão de beijinho?",
         """
         Dá sim! O **beijinho** é o "primo" do brigadeiro, feito com coco:

         - 1 lata de leite condensado
         - 1 colher (sopa) de manteiga
         - 50 g de coco ralado (mais um pouco para decorar)

         O preparo é igual: cozinhe em fogo baixo mexendo até desgrudar da panela, deixe esfriar, enrole as
         bolinhas e passe no coco ralado. Tradicionalmente, coloca-se um cravo-da-índia em cima de cada um.
         Para uma festa, faça metade brigadeiro e metade beijinho!
         """),
    ),
    S(
        ["Quais são os principais pontos turísticos de Lisboa?", "o que visitar em lisboa em 3 dias"],
        """
        Lisboa tem muita coisa para ver! Uma sugestão para três dias:

        **Dia 1: Baixa, Chiado e Alfama**
        - Praça do Comércio e Rua Augusta.
        - Elevador de Santa Justa (ou suba a pé até o Chiado e o Largo do Carmo).
        - Alfama: ruelas, o Castelo de São Jorge e o Miradouro de Santa Luzia.
        - À noite, uma casa de **fado** em Alfama ou na Mouraria.

        **Dia 2: Belém**
        - Mosteiro dos Jerónimos e Torre de Belém.
        - Padrão dos Descobrimentos e o MAAT, à beira do rio.
        - E claro: os **pastéis de Belém**, quentinhos, com canela e açúcar.

        **Dia 3: Sintra (bate e volta)**
        - Palácio da Pena, Quinta da Regaleira e o centro histórico.
        - O trem sai da estação do Rossio e leva uns 40 minutos.

        **Dicas:** use o **elétrico 28**, mas cedo para evitar filas; Lisboa tem muitas ladeiras, então
        leve sapatos confortáveis; e aproveite os miradouros ao pôr do sol, como o da Senhora do Monte.
        """,
    ),
    S(
        ["Como funciona um loop for em Python?", "python: diferença entre for e while, com exemplos"],
        r"""
        Em Python, o `for` percorre os elementos de uma sequência (lista, texto, intervalo de números...),
        e o `while` repete enquanto uma condição for verdadeira.

        ```python
        # for: percorre cada elemento
        frutas = ["maçã", "banana", "manga"]
        for fruta in frutas:
            print(f"Eu gosto de {fruta}")

        # for com range: números de 0 a 4
        for i in range(5):
            print(i)

        # for com enumerate: índice e valor
        for indice, fruta in enumerate(frutas, start=1):
            print(indice, fruta)

        # while: repete enquanto a condição for verdadeira
        saldo = 100
        while saldo > 0:
            saldo -= 30
            print(f"Saldo: {saldo}")
        ```

        **Quando usar cada um?**
        - Use **`for`** quando você sabe o que vai percorrer: os itens de uma lista, as linhas de um
          arquivo, um número fixo de repetições.
        - Use **`while`** quando não sabe quantas repetições serão necessárias, por exemplo, "pedir a senha
          até o usuário acertar".

        Cuidado com o `while`: se a condição nunca ficar falsa, o programa entra em **loop infinito**.
        """,
        ("E o que fazem break e continue?",
         r"""
         - **`break`** interrompe o loop imediatamente.
         - **`continue`** pula para a próxima repetição, ignorando o resto do bloco.

         ```python
         numeros = [4, 7, -1, 12, 0, 9]

         for n in numeros:
             if n < 0:
                 continue        # ignora negativos
             if n == 0:
                 break           # para tudo ao encontrar zero
             print(n)
         # imprime 4, 7 e 12
         ```
         """),
    ),
    S(
        ["O que foi a Independência do Brasil?", "resumo da independência do brasil 1822"],
        """
        A Independência do Brasil foi o processo que separou o Brasil de Portugal, proclamada em **7 de
        setembro de 1822**.

        **Contexto:**
        - Em 1808, fugindo das tropas de Napoleão, a família real portuguesa se mudou para o Rio de Janeiro.
          O Brasil passou a ser o centro do império: abriu os portos, ganhou instituições, bancos e escolas.
        - Em 1815, o Brasil foi elevado a Reino Unido a Portugal e Algarves.
        - Em 1821, após a Revolução do Porto, Dom João VI voltou a Portugal, e as Cortes portuguesas
          tentaram fazer o Brasil voltar à condição de colônia.

        **O processo:**
        - Dom Pedro, filho do rei, ficou no Brasil como príncipe regente. Em janeiro de 1822, recusou-se a
          voltar a Portugal (o "Dia do Fico").
        - Em 7 de setembro, às margens do riacho Ipiranga, em São Paulo, proclamou a independência
          ("Independência ou morte!").
        - Foi coroado **Dom Pedro I**, imperador do Brasil, em dezembro de 1822.

        Houve guerras de independência em algumas províncias, como na Bahia, onde a data de 2 de julho de
        1823 é celebrada. Portugal reconheceu a independência em 1825. Diferentemente de seus vizinhos, o
        Brasil se manteve como monarquia até 1889.
        """,
    ),
    S(
        ["Me dá dicas para melhorar minha redação do ENEM", "como tirar nota alta na redação"],
        """
        A redação do ENEM é um texto **dissertativo-argumentativo**, avaliado em cinco competências.
        Algumas dicas práticas:

        1. **Estrutura clara**: introdução (apresente o tema e sua tese), dois parágrafos de
           desenvolvimento (um argumento em cada) e conclusão.
        2. **Repertório sociocultural**: use referências legítimas e bem conectadas ao tema: dados,
           leis, a Constituição, filósofos, obras literárias, fatos históricos. Não basta citar; explique
           como a referência sustenta seu argumento.
        3. **Proposta de intervenção completa**: na conclusão, proponha uma solução com os cinco
           elementos: **agente** (quem), **ação** (o quê), **meio/modo** (como), **finalidade** (para quê)
           e **detalhamento**.
        4. **Coesão**: use conectivos variados ("além disso", "nesse sentido", "portanto", "em
           contrapartida") para ligar ideias e parágrafos.
        5. **Norma padrão**: revise concordância, regência, crase e pontuação.
        6. **Treine com o tempo de prova** e peça para alguém corrigir usando as competências.

        E nunca fuja do tema: leia a proposta e os textos motivadores com atenção antes de escrever.
        """,
    ),
    S(
        ["Escreva um poema curto sobre saudade", "poema sobre saudade de casa"],
        """
        ~~~
        **Saudade**

        Saudade é casa sem endereço,
        é cheiro de café que não tem,
        é a voz da minha mãe no começo
        de um domingo que já não vem.

        É a rua que guarda meus passos,
        a janela aberta pro mar,
        é carregar, em cada abraço,
        um pedaço de outro lugar.
        ~~~
        """,
    ),
    S(
        ["Como cuidar de uma planta suculenta?", "minha suculenta está murchando, o que fazer?"],
        """
        Suculentas são fáceis de cuidar, mas o erro mais comum é **regar demais**. Algumas dicas:

        - **Rega:** molhe bem a terra e só regue de novo quando ela estiver **completamente seca**. No
          verão, geralmente a cada 7 a 10 dias; no inverno, bem menos. Enfie o dedo na terra para conferir.
        - **Vaso com furo:** a água precisa escorrer. Vasos sem furo apodrecem as raízes.
        - **Substrato:** terra bem drenante, misturada com areia grossa ou perlita.
        - **Luz:** a maioria gosta de muita luz, de preferência algumas horas de sol direto.

        **Se está murchando:**
        - Folhas **enrugadas e finas** → falta de água; regue bem.
        - Folhas **moles, transparentes ou escuras**, principalmente na base → excesso de água; pare de regar,
          tire do vaso e veja se as raízes estão podres. Dá para salvar cortando as partes saudáveis e
          replantando.
        - Planta **esticada e pálida** → falta de luz.
        """,
    ),
    S(["oi", "Olá!", "oi, tudo bem?"], "Olá! Tudo ótimo por aqui. Como posso te ajudar hoje?"),
]

KITS["Italian"] = {
    "open": ["", "", "", "Ciao, ", "Ciao! ", "Buongiorno, ", "Ho una domanda: ", "Salve, "],
    "ack": ["", "", "", "Certo! ", "Volentieri! ", "Bella domanda. ", "Ma certo. "],
    "next": ["Grazie! Un'altra domanda: ", "Ok. E ", "Perfetto. ", "Ultima cosa: "],
    "thanks": [
        ("Grazie mille!", "Prego! Se hai altre domande, sono qui."),
        ("grazie, chiarissimo", "Di niente! Buona giornata."),
    ],
}

ITALIAN = [
    S(
        ["Come si fa la carbonara originale?", "ricetta della carbonara vera, senza panna",
         "mi dai la ricetta della pasta alla carbonara?"],
        """
        Ecco la ricetta tradizionale romana, **senza panna** e senza aglio né cipolla.

        **Ingredienti (4 persone)**
        - 400 g di spaghetti (o rigatoni)
        - 150 g di guanciale
        - 4 tuorli + 1 uovo intero
        - 80 g di pecorino romano grattugiato
        - pepe nero macinato al momento

        **Preparazione**
        1. Taglia il guanciale a listarelle e rosolalo in padella **senza olio** a fuoco medio, finché il
           grasso diventa trasparente e croccante. Spegni il fuoco.
        2. In una ciotola sbatti i tuorli e l'uovo con il pecorino e abbondante pepe, fino a ottenere una
           crema densa.
        3. Cuoci la pasta in acqua salata (non troppo: guanciale e pecorino sono già saporiti). Scolala al
           dente, tenendo da parte un po' di acqua di cottura.
        4. Versa la pasta nella padella con il guanciale, mescola, poi **fuori dal fuoco** aggiungi la crema
           di uova e un paio di cucchiai di acqua di cottura. Mescola velocemente: il calore della pasta
           deve addensare le uova senza trasformarle in frittata.
        5. Servi subito con altro pecorino e pepe.

        Il segreto è tutto nella temperatura: se la padella è troppo calda, le uova si rapprendono.
        """,
        ("Posso usare la pancetta se non trovo il guanciale?",
         """
         Sì, la pancetta è il sostituto più comune e il risultato è comunque buono, anche se un romano
         purista storcerebbe il naso! Il guanciale ha un sapore più intenso e un grasso più morbido che si
         scioglie meglio. Se usi la pancetta, scegli quella **tesa** (non affumicata) e tagliata spessa,
         non a cubetti piccoli già pronti. Per il formaggio, puoi sostituire metà del pecorino con
         parmigiano se lo preferisci più delicato.
         """),
    ),
    S(
        ["Che cosa vedere a Firenze in due giorni?", "itinerario di 2 giorni a firenze"],
        """
        Firenze è compatta e si gira bene a piedi. Ecco una proposta:

        **Giorno 1**
        - Mattina: **Galleria degli Uffizi** (prenota in anticipo!): Botticelli, Leonardo, Michelangelo,
          Caravaggio.
        - Piazza della Signoria e Palazzo Vecchio.
        - Pranzo: un panino con il lampredotto o la schiacciata all'olio.
        - Pomeriggio: **Duomo**, Battistero e la salita alla cupola del Brunelleschi (463 gradini).
        - Tramonto: **Piazzale Michelangelo**, con vista su tutta la città.

        **Giorno 2**
        - Mattina: **Galleria dell'Accademia** per il David di Michelangelo (prenota anche qui).
        - Mercato Centrale e la basilica di San Lorenzo.
        - Pomeriggio: Ponte Vecchio, Palazzo Pitti e i **Giardini di Boboli**.
        - Sera: cena nel quartiere di **Santo Spirito** o San Frediano, più autentici e meno turistici.
          Da provare la bistecca alla fiorentina!

        Il primo fine settimana del mese spesso alcuni musei statali sono gratuiti, ma anche molto affollati.
        """,
    ),
    S(
        ["Quando si usa il congiuntivo in italiano?", "congiuntivo: quando usarlo, con esempi"],
        """
        Il congiuntivo si usa soprattutto per esprimere **opinioni, dubbi, desideri, emozioni e possibilità**,
        cioè cose non presentate come fatti certi. Di solito si trova in una frase secondaria introdotta da
        **"che"**.

        **Casi principali:**
        - Dopo verbi di opinione: *Penso che **sia** una buona idea.* / *Credo che lui **abbia** ragione.*
        - Dopo verbi di volontà e desiderio: *Voglio che tu **venga** alla festa.*
        - Dopo espressioni impersonali: *È importante che **studiate**.* / *Bisogna che **partiamo** presto.*
        - Dopo emozioni: *Sono felice che **siate** qui.*
        - Dopo alcune congiunzioni: *benché, sebbene, affinché, prima che, a meno che*.
          *Esco **sebbene piova**.*
        - Nel periodo ipotetico, con il congiuntivo imperfetto: *Se **avessi** tempo, verrei.*

        Un errore frequente anche tra gli italiani è usare l'indicativo dopo "penso che": *penso che **è***
        è considerato scorretto nella lingua scritta; la forma giusta è *penso che **sia***.
        """,
    ),
    S(
        ["Scrivi una breve poesia sull'estate", "una poesia corta sull'estate al mare"],
        """
        ~~~
        **Agosto**

        Il sole si siede sul molo
        e conta le barche una a una,
        il mare ripete il suo nome
        a chi si addormenta sulla duna.

        Profumo di sale e limoni,
        gelato che cola sul polso,
        e sera che arriva più tardi
        per non disturbarci il discorso.
        ~~~
        """,
    ),
    S(
        ["Come posso migliorare la mia produttività lavorando da casa?", "consigli per lo smart working"],
        """
        Lavorare da casa offre flessibilità, ma richiede un po' di organizzazione. Alcuni consigli:

        1. **Uno spazio dedicato**: anche solo un angolo, ma riservato al lavoro. Evita di lavorare dal
           letto o dal divano.
        2. **Orari fissi**: inizia e finisci più o meno alla stessa ora, e rispetta la pausa pranzo.
        3. **Un rituale di inizio e fine giornata**: vestirsi come per uscire, una breve passeggiata prima di
           iniziare, chiudere il portatile alla fine.
        4. **Pianifica le priorità**: la mattina scegli le 2-3 attività più importanti e affrontale quando
           sei più concentrato.
        5. **Riduci le distrazioni**: notifiche disattivate, telefono lontano, blocchi di lavoro di 50
           minuti con pause di 10.
        6. **Muoviti**: alzati ogni ora; lavorando da casa si rischia di camminare pochissimo.
        7. **Resta in contatto** con i colleghi: brevi chiamate o un caffè virtuale aiutano contro
           l'isolamento.
        """,
    ),
    S(["ciao", "Ciao!", "buongiorno"], "Ciao! Come posso aiutarti oggi?"),
]

KITS["Russian"] = {
    "open": ["", "", "", "Привет! ", "Здравствуйте. ", "Добрый день! ", "Вопрос: ", "Подскажите, "],
    "ack": ["", "", "", "Конечно! ", "Хороший вопрос. ", "С удовольствием. ", "Да, конечно. "],
    "next": ["Спасибо! Ещё вопрос: ", "Понятно. А ", "Отлично. ", "И ещё: "],
    "thanks": [
        ("Спасибо большое!", "Пожалуйста! Если появятся ещё вопросы, обращайтесь."),
        ("спасибо, очень помогло", "Рад помочь! Удачи!"),
        ("Понял, спасибо.", "Пожалуйста!"),
    ],
}

RUSSIAN = [
    S(
        ["Как приготовить борщ?", "рецепт классического борща", "Дай рецепт борща на 4 человека"],
        """
        Вот классический рецепт украинского борща, который готовят во многих семьях.

        **Ингредиенты (на кастрюлю 4 л)**
        - 500 г говядины на кости (или свиных рёбрышек)
        - 2 средние свёклы
        - 300 г белокочанной капусты
        - 3 картофелины
        - 1 морковь, 1 луковица
        - 2 ст. л. томатной пасты
        - 1 ст. л. уксуса или сок половины лимона
        - 2 зубчика чеснока, лавровый лист, соль, перец
        - сметана и зелень для подачи

        **Приготовление**
        1. Залейте мясо холодной водой, доведите до кипения, снимите пену и варите на слабом огне 1,5 часа.
        2. Свёклу нарежьте соломкой и потушите на сковороде с небольшим количеством масла, томатной пастой и
           уксусом 10–15 минут: так она сохранит яркий цвет.
        3. Отдельно обжарьте лук и морковь до мягкости.
        4. Достаньте мясо, отделите от кости и верните в бульон. Добавьте нарезанный картофель, через 10
           минут — капусту.
        5. Когда картофель почти готов, добавьте свёклу и зажарку, лавровый лист, соль и перец. Варите ещё
           5–7 минут.
        6. В конце добавьте измельчённый чеснок, выключите огонь и дайте борщу настояться 20–30 минут.

        Подавайте со сметаной, зеленью и чёрным хлебом или пампушками с чесноком. На следующий день борщ
        становится ещё вкуснее!
        """,
        ("А можно сделать вегетарианский вариант?",
         """
         Конечно! Вместо мясного бульона используйте **овощной**, а для насыщенности вкуса добавьте:

         - **фасоль** (консервированную или заранее отваренную) — она даёт сытность;
         - **грибы**, особенно сушёные белые: замочите их и добавьте вместе с водой от замачивания;
         - немного **копчёной паприки** для «мясного» аромата.

         Остальные шаги те же. Для постного варианта просто подавайте без сметаны или с растительной
         альтернативой.
         """),
    ),
    S(
        ["Объясни, что такое рекурсия, на примере Python", "рекурсия в программировании простыми словами"],
        r"""
        **Рекурсия** — это когда функция вызывает саму себя, решая задачу через её уменьшенную версию.
        Важно, чтобы был **базовый случай**, на котором рекурсия останавливается.

        Классический пример — факториал: 5! = 5 × 4 × 3 × 2 × 1, а значит 5! = 5 × 4!.

        ```python
        def factorial(n: int) -> int:
            if n <= 1:              # базовый случай
                return 1
            return n * factorial(n - 1)   # рекурсивный вызов

        print(factorial(5))  # 120
        ```

        Более жизненный пример — подсчёт размера всех файлов в папке со вложенными папками:

        ```python
        from pathlib import Path

        def folder_size(path: Path) -> int:
            total = 0
            for item in path.iterdir():
                if item.is_file():
                    total += item.stat().st_size
                elif item.is_dir():
                    total += folder_size(item)   # та же задача, но для вложенной папки
            return total

        print(folder_size(Path(".")) / 1024 / 1024, "МБ")
        ```

        Без базового случая функция будет вызывать себя бесконечно, и Python выдаст ошибку
        `RecursionError` (по умолчанию глубина ограничена примерно 1000 вызовами).
        """,
    ),
    S(
        ["Почему небо голубое?", "объясни ребёнку, почему небо синее"],
        """
        Солнечный свет кажется белым, но на самом деле состоит из всех цветов радуги. Проходя через
        атмосферу, свет сталкивается с молекулами воздуха — азота и кислорода.

        Эти молекулы гораздо сильнее рассеивают **коротковолновый** свет — синий и фиолетовый, — чем
        длинноволновый красный. Это явление называется **рэлеевским рассеянием**. Синий свет «разбрасывается»
        по всему небу, и, куда бы мы ни посмотрели, он попадает нам в глаза со всех сторон. Поэтому небо
        кажется голубым.

        Фиолетового света рассеивается ещё больше, но Солнце излучает его меньше, а наши глаза к нему менее
        чувствительны.

        **На закате** свет проходит через гораздо более толстый слой воздуха. Синие лучи рассеиваются по
        дороге, а до нас доходят в основном красные и оранжевые — поэтому закаты такие тёплые по цвету.

        Для ребёнка можно сказать так: воздух «играет» с синими лучиками и раскидывает их по всему небу, а
        красные лучики летят прямо.
        """,
    ),
    S(
        ["Кратко расскажи о Петре Первом", "чем известен пётр 1? основные реформы"],
        """
        **Пётр I Великий** (1672–1725) — русский царь с 1682 года и первый российский император с 1721 года.
        Он провёл масштабные реформы, которые превратили Россию в крупную европейскую державу.

        **Основные реформы:**
        - **Армия и флот**: создание регулярной армии на основе рекрутских наборов и строительство
          военно-морского флота.
        - **Государственное управление**: вместо приказов появились **коллегии**, был учреждён
          **Правительствующий сенат**, страна поделена на губернии. **Табель о рангах** (1722) позволяла
          продвигаться по службе за заслуги, а не только по происхождению.
        - **Экономика**: развитие мануфактур, горного дела, металлургии Урала.
        - **Культура и быт**: новый календарь (с 1700 года), гражданский шрифт, первая печатная газета
          «Ведомости», Кунсткамера, указ о бритье бород и европейской одежде.
        - **Церковь**: патриаршество было упразднено, вместо него создан Святейший синод.

        **Внешняя политика:** победа над Швецией в **Северной войне** (1700–1721), решающая битва под
        Полтавой в 1709 году, выход к Балтийскому морю. В 1703 году Пётр основал **Санкт-Петербург**,
        который стал новой столицей.

        Реформы проводились очень жёсткими методами и дорого обошлись населению, поэтому историки оценивают
        его правление неоднозначно.
        """,
    ),
    S(
        ["Напиши короткое стихотворение про зиму", "стих про зимний вечер"],
        """
        ~~~
        **Зимний вечер**

        Снег ложится на перила,
        на фонарь и на скамью,
        будто кто-то белой краской
        перекрашивает мою
        тихую, простую улицу,
        где горит окно одно,
        и в окне, за чашкой чая,
        кто-то смотрит в темноту давно.
        ~~~
        """,
    ),
    S(
        ["Как научиться вставать рано?", "советы: как перестать просыпать и вставать в 6 утра"],
        """
        Главный секрет раннего подъёма — не будильник, а **время отхода ко сну**. Несколько советов:

        1. **Сдвигайте режим постепенно**: на 15 минут раньше каждые несколько дней, а не сразу на два
           часа.
        2. **Одинаковое время подъёма каждый день**, включая выходные. Это самый сильный сигнал для
           внутренних часов.
        3. **Утренний свет**: сразу после пробуждения откройте шторы или выйдите на улицу на 10–15 минут.
        4. **Вечером — меньше яркого света и экранов** за час до сна. Приглушённый свет помогает
           выработке мелатонина.
        5. **Будильник подальше от кровати**, чтобы пришлось встать, чтобы его выключить.
        6. **Кофеин не позже обеда**.
        7. **Причина вставать**: приятный завтрак, прогулка, время для себя, пока все спят.

        И помните: большинству взрослых нужно 7–9 часов сна. Если вы хотите вставать в 6, ложиться стоит
        около 22:00–23:00.
        """,
    ),
    S(
        ["Напиши письмо коллеге {NAME} с благодарностью за помощь в проекте",
         "помоги написать благодарность {NAME} за помощь с отчётом"],
        """
        **Тема:** Спасибо за помощь с проектом

        {NAME}, добрый день!

        Хочу от всей души поблагодарить тебя за помощь с квартальным отчётом. Без твоего анализа данных по
        продажам и подсказок по структуре презентации мы бы точно не успели к сроку.

        Руководство отметило, насколько понятными получились графики, — это полностью твоя заслуга.
        Если тебе когда-нибудь понадобится помощь, обращайся, буду рад отплатить тем же.

        Ещё раз спасибо!

        С уважением,
        {NAME2}
        """,
    ),
    S(["Привет", "привет!", "Здравствуйте"], "Привет! Чем могу помочь?"),
    S(
        ["В чём разница между «надеть» и «одеть»?", "надеть или одеть, как правильно?"],
        """
        Это частая ошибка даже у носителей языка. Правило простое:

        - **Надеть** что-то **на себя** (или на что-то): *надеть куртку, надеть шапку, надеть кольцо на
          палец.*
        - **Одеть** кого-то: *одеть ребёнка, одеть куклу, одеть больного.*

        Запомнить помогает пара: **надеть одежду — одеть Надежду**.

        Антонимы тоже разные: *надеть — снять*, *одеть — раздеть*.
        """,
    ),
]

KITS["Chinese"] = {
    "open": ["", "", "", "", "你好，", "您好，", "请问，", "我想问一下，"],
    "ack": ["", "", "", "好的！", "当然可以。", "好问题！", "没问题。"],
    "next": ["谢谢！还有一个问题：", "明白了。另外，", "好的。", "再问一下，"],
    "thanks": [
        ("谢谢！", "不客气！如果还有其他问题，随时问我。"),
        ("非常感谢，很有帮助", "很高兴能帮到你！祝你顺利。"),
        ("好的，明白了，谢谢", "不客气～"),
    ],
}

CHINESE = [
    S(
        ["番茄炒蛋怎么做？", "教我做西红柿炒鸡蛋", "番茄炒蛋怎么做才好吃？"],
        """
        番茄炒蛋是最经典的家常菜之一，简单又下饭。

        **食材（2人份）**
        - 番茄 2个（约300克）
        - 鸡蛋 3个
        - 葱 1根
        - 盐、白糖适量
        - 食用油

        **做法**
        1. 番茄洗净，切成小块。如果喜欢口感更好，可以先在顶部划十字，用开水烫一下去皮。
        2. 鸡蛋打散，加一小撮盐，搅拌均匀。
        3. 锅中倒油，油热后倒入蛋液，等底部稍微凝固再轻轻推散，炒到八成熟盛出。
        4. 锅里再加少许油，放入番茄块，中火翻炒，用铲子压一压，让番茄出汁。
        5. 加入适量盐和半勺白糖（糖可以中和番茄的酸味，让味道更鲜）。
        6. 倒回炒好的鸡蛋，翻炒均匀，撒上葱花即可出锅。

        **小窍门：** 鸡蛋不要炒太老，保持嫩滑；番茄一定要炒出汤汁，这样拌饭才好吃。
        """,
        ("可以加番茄酱吗？",
         """
         可以的！如果番茄不够熟、颜色偏淡或者酸味不足，加一勺番茄酱能让颜色更红亮、味道更浓郁。
         在炒番茄出汁的时候加入即可。不过番茄酱本身有甜味，记得相应减少白糖的用量。也有人喜欢加一点
         清水，让汤汁多一些，特别适合拌面或拌饭。
         """),
    ),
    S(
        ["Python 中列表和元组有什么区别？", "python list 和 tuple 的区别是什么"],
        r"""
        列表（list）和元组（tuple）都是有序的序列，可以存放任意类型的数据，但有几个重要区别：

        | | 列表 list | 元组 tuple |
        |---|---|---|
        | 写法 | `[1, 2, 3]` | `(1, 2, 3)` |
        | 是否可变 | 可变，可以增删改 | 不可变，创建后不能修改 |
        | 能否作为字典的键 | 不能 | 可以（元素都可哈希时） |
        | 常见用途 | 同类数据的集合，会变化 | 固定结构的数据记录 |

        ```python
        scores = [90, 85, 77]
        scores.append(88)          # 可以修改
        point = (3, 4)
        # point[0] = 5             # 报错：TypeError

        distances = {("北京", "上海"): 1213}   # 元组可以做字典的键
        x, y = point               # 元组解包
        ```

        简单的经验法则：**"一堆同类的东西"用列表，"一个由几部分组成的东西"用元组**，比如坐标 (x, y)、
        RGB 颜色 (255, 0, 0)。另外，元组占用内存稍小，创建速度也略快。
        """,
        ("那什么时候应该用 namedtuple？",
         r"""
         当元组的各个位置有明确含义、而你又希望代码更易读时，就可以用 `namedtuple`（或者
         `typing.NamedTuple`）：

         ```python
         from typing import NamedTuple

         class Point(NamedTuple):
             x: float
             y: float

         p = Point(3, 4)
         print(p.x, p.y)        # 通过名字访问，比 p[0] 更清楚
         print(p._replace(x=10))  # 生成一个修改后的新对象
         ```

         它仍然是不可变的元组，可以解包、可以作为字典的键。如果需要可变的字段或者更多方法，
         可以考虑 `dataclass`。
         """),
    ),
    S(
        ["如何提高睡眠质量？", "总是失眠怎么办，有什么好方法", "晚上睡不着，早上起不来，怎么调整作息？"],
        """
        改善睡眠可以从以下几个方面入手：

        1. **固定作息时间**：每天在同一时间起床，周末也尽量不要相差太多。规律的起床时间是调整生物钟最
           有效的方法。
        2. **早上晒太阳**：起床后到户外待10到20分钟，自然光能帮助身体建立昼夜节律。
        3. **减少咖啡因**：咖啡、浓茶、奶茶里的咖啡因可以在体内持续好几个小时，建议下午两点以后不再喝。
        4. **睡前远离手机**：睡前一小时尽量不看手机和电脑，屏幕的蓝光和刺激性内容都会影响入睡。
        5. **卧室环境**：保持安静、黑暗、凉爽，温度18到20度左右比较合适。
        6. **床只用来睡觉**：如果躺下20分钟还睡不着，就起来做点安静的事，比如看纸质书，有困意再回床上。
        7. **适量运动**：白天规律运动有助于睡眠，但睡前两三个小时内不要做剧烈运动。

        如果长期失眠，或者睡了很久依然很累、打鼾严重，建议去医院的睡眠科就诊，排除睡眠呼吸暂停等问题。
        """,
    ),
    S(
        ["帮我写一首关于春天的诗", "写一首描写春天的现代诗"],
        """
        ~~~
        **春天来信**

        春天先寄来一阵风，
        把河面的冰，轻轻拆开；
        又寄来一场小雨，
        在泥土里，写满嫩绿的字。

        柳树读懂了，低下头；
        燕子读懂了，飞回来；
        只有我站在窗前，
        读了很久，才明白——
        原来所有的等待，
        都是为了这一刻的花开。
        ~~~
        """,
        ("能再写一首五言绝句吗？",
         """
         ~~~
         **春晓即景**

         细雨润青苔，
         东风次第开。
         桃花临水照，
         燕子带春来。
         ~~~

         这首诗模仿了古典五言绝句的形式：四句，每句五个字，第二、四句押"ai"韵。
         """),
    ),
    S(
        ["秦始皇统一六国有什么意义？", "简单介绍一下秦始皇的主要功绩"],
        """
        公元前221年，秦王嬴政灭掉韩、赵、魏、楚、燕、齐六国，建立了中国历史上第一个统一的中央集权
        王朝——秦朝，自称"始皇帝"。

        **主要措施和意义：**
        - **政治上**：废除分封制，推行**郡县制**，由中央直接任命官员管理地方，奠定了此后两千多年中国
          政治制度的基本格局。
        - **统一文字**：以小篆为标准字体，后来又推行更简便的隶书，使各地能够书面交流。
        - **统一度量衡和货币**：统一了长度、容量、重量单位，以圆形方孔的半两钱作为统一货币，促进了经济
          交流。
        - **车同轨**：统一车辆轨距，修建驰道，方便交通。
        - **修筑长城**：把原来秦、赵、燕的长城连接起来，抵御北方匈奴。

        **负面影响：** 秦朝法律严苛，赋税和徭役繁重，还有"焚书坑儒"等事件，导致民怨沸腾。
        秦朝仅存在了15年，就在农民起义中灭亡了。

        总体来说，秦的统一开创了"大一统"的国家格局，对中国历史影响极为深远。
        """,
    ),
    S(
        ["怎么用 SQL 查询每个部门工资最高的员工？", "sql 分组取最大值对应的那一行"],
        r"""
        这是典型的"分组取 Top 1"问题，推荐使用窗口函数：

        ```sql
        SELECT department, name, salary
        FROM (
            SELECT department,
                   name,
                   salary,
                   RANK() OVER (PARTITION BY department ORDER BY salary DESC) AS rk
            FROM employees
        ) t
        WHERE rk = 1;
        ```

        说明：
        - `PARTITION BY department` 表示按部门分别排序；
        - `RANK()` 在工资相同时会并列第一，所以一个部门可能返回多个人；如果只想要一个人，用
          `ROW_NUMBER()`。

        如果你的数据库版本比较老（比如 MySQL 5.7）不支持窗口函数，可以用子查询：

        ```sql
        SELECT e.department, e.name, e.salary
        FROM employees e
        JOIN (
            SELECT department, MAX(salary) AS max_salary
            FROM employees
            GROUP BY department
        ) m ON e.department = m.department AND e.salary = m.max_salary;
        ```
        """,
    ),
    S(
        ["推荐一个去成都旅游的三天行程", "第一次去成都玩三天，怎么安排？"],
        """
        成都是一座节奏悠闲、美食众多的城市，三天可以这样安排：

        **第一天：市区经典**
        - 上午：**成都大熊猫繁育研究基地**，一定要早去（8点左右），熊猫上午最活跃。
        - 下午：**宽窄巷子**、人民公园喝盖碗茶，体验成都人的慢生活。
        - 晚上：**春熙路**、太古里逛街，吃一顿正宗的火锅。

        **第二天：文化与历史**
        - 上午：**武侯祠**和旁边的**锦里**古街。
        - 下午：**杜甫草堂**，或者**金沙遗址博物馆**看古蜀文明。
        - 晚上：去看一场**川剧变脸**表演。

        **第三天：周边一日游**
        - **都江堰**：两千多年前修建、至今仍在使用的水利工程，可以和青城山一起安排。
        - 或者去**乐山大佛**，顺便尝尝乐山的钵钵鸡和甜皮鸭。

        **美食清单：** 火锅、串串香、钟水饺、龙抄手、担担面、夫妻肺片、兔头、冰粉。
        吃不了辣的话，点菜时说"微辣"或者"不要辣"。
        """,
    ),
    S(
        ["什么是机器学习？用通俗的话解释一下", "机器学习和人工智能有什么区别"],
        """
        **人工智能（AI）** 是一个大目标：让计算机完成通常需要人类智能的任务，比如看图、听懂语言、下棋。

        **机器学习** 是实现人工智能的一种主要方法：不是由程序员一条一条地写规则，而是让计算机**从数据
        中自己找规律**。

        举个例子：想让电脑识别垃圾邮件。
        - 传统方法：人工写规则，"包含'中奖'就是垃圾邮件"……规则永远写不完。
        - 机器学习：给电脑看几万封已经标注好"是/不是垃圾邮件"的邮件，它自己学会哪些特征更可能是垃圾
          邮件，然后判断新的邮件。

        **深度学习** 又是机器学习的一个分支，使用多层的"神经网络"，特别擅长处理图像、语音和文字。
        现在的大语言模型（比如聊天机器人）就是基于深度学习的。

        三者的关系可以理解为：人工智能 ⊃ 机器学习 ⊃ 深度学习。
        """,
        ("那大语言模型是怎么训练的？",
         """
         大致分为几个阶段：

         1. **预训练**：用海量的文本（网页、书籍、代码等）训练模型做一件事——根据前面的文字预测下一个
            词。通过这个简单的任务，模型学会了语法、知识和一定的推理能力。
         2. **指令微调**：用人工编写的高质量"问题—回答"示例继续训练，让模型学会按照指令、以对话的方式
            回答问题。
         3. **基于反馈的强化学习**：让人（或者其他模型）对模型的多个回答进行比较打分，再用这些偏好数据
            调整模型，使回答更有帮助、更安全。

         需要注意的是，模型并不是在"查数据库"，它的知识都存储在数十亿个参数里，所以有时会一本正经地
         说错话，也就是所谓的"幻觉"。
         """),
    ),
    S(
        ["帮我写一封请假邮件，发给我的领导{NAME}", "写个请假条给{NAME}经理，家里有事请两天假"],
        """
        **主题：** 请假申请（{NAME2}，6月13日—6月14日）

        {NAME}您好：

        因家中有急事需要处理，我想申请6月13日（周四）至6月14日（周五）请事假两天，6月17日（周一）
        正常返岗。

        请假期间的工作安排如下：
        1. 本周的客户周报我会在12日下班前完成并发送；
        2. 项目相关的日常沟通已经和同事小李交接，有紧急情况可以联系她；
        3. 我会保持手机畅通，如有需要可以随时联系我。

        给您和团队带来不便，敬请谅解。恳请批准，谢谢！

        此致
        敬礼

        {NAME2}
        """,
    ),
    S(["你好", "你好！", "在吗"], "你好！有什么我可以帮你的吗？"),
    S(
        ["为什么天空是蓝色的？", "天空为什么是蓝的，晚霞为什么是红的？"],
        """
        太阳光看起来是白色的，其实是由红、橙、黄、绿、蓝、紫等各种颜色的光混合而成的。

        阳光穿过大气层时，会碰到空气中的氮气和氧气分子。这些分子比光的波长小得多，它们对**短波长的
        蓝光、紫光散射得更强**，对长波长的红光散射得较弱，这叫作**瑞利散射**。被散射的蓝光布满了整个
        天空，从四面八方进入我们的眼睛，所以天空看起来是蓝色的。

        紫光虽然散射得更多，但太阳光中紫光本来就少，而且人眼对紫光不太敏感，所以我们看到的是蓝色。

        **傍晚时**，阳光要斜着穿过更厚的大气层，蓝光在路上几乎都被散射掉了，剩下的主要是红光和橙光，
        所以晚霞是红色的。
        """,
    ),
    S(
        ["如何学好英语口语？", "英语口语很差，怎么提高？"],
        """
        提高口语的关键是**大量可理解的输入 + 经常开口输出**。可以试试这些方法：

        1. **每天听**：选择自己能听懂七八成的材料，比如英语播客、美剧、YouTube 频道。先带字幕，再逐渐
           去掉字幕。
        2. **跟读（shadowing）**：听一句、模仿一句，注意语调、连读和节奏。每天15分钟，效果非常明显。
        3. **学习"语块"而不是单词**：比如 "I was wondering if...", "It depends on...", "What I mean is...",
           整句记忆，用起来更自然。
        4. **自言自语**：用英语描述你正在做的事，或者用一分钟讲讲今天发生了什么。
        5. **录音回听**：录下自己说的话，和原音对比，找出发音问题。
        6. **找人练习**：语言交换伙伴、线上外教、英语角都可以。不要怕犯错，说错了才知道怎么改。

        最重要的是**坚持**：每天30分钟，比周末突击3小时有效得多。
        """,
    ),
]

KITS["Japanese"] = {
    "open": ["", "", "", "", "こんにちは。", "質問です。", "すみません、"],
    "ack": ["", "", "", "もちろんです！", "いい質問ですね。", "承知しました。"],
    "next": ["ありがとうございます。もう一つ質問です。", "なるほど。ところで、", "了解です。", "あと、"],
    "thanks": [
        ("ありがとうございます！", "どういたしまして！また何かあれば、いつでも聞いてください。"),
        ("助かりました、ありがとう", "お役に立ててよかったです！"),
    ],
}

JAPANESE = [
    S(
        ["カレーライスの作り方を教えてください", "家庭のカレーのおいしい作り方は？",
         "簡単なカレーのレシピを教えて"],
        """
        定番の家庭カレー（4人分）の作り方です。

        **材料**
        - 豚肉または牛肉（こま切れ）300g
        - じゃがいも 2個
        - にんじん 1本
        - 玉ねぎ 2個
        - サラダ油 大さじ1
        - 水 700ml
        - カレールー 4皿分（約半箱）

        **作り方**
        1. 野菜を一口大に切ります。玉ねぎはくし切りにします。
        2. 鍋に油を熱し、肉を炒めます。色が変わったら玉ねぎを加え、しんなりするまで炒めます。
        3. にんじんとじゃがいもを加えて軽く炒め、水を入れて沸騰させます。
        4. アクを取り、弱火〜中火で約15分、野菜がやわらかくなるまで煮込みます。
        5. いったん火を止めてからルーを割り入れ、よく溶かします。
        6. 再び弱火で10分ほど、とろみがつくまで時々かき混ぜながら煮込みます。

        **コツ：** 玉ねぎをあめ色になるまでじっくり炒めると、甘みとコクが増します。隠し味に、はちみつ、
        ケチャップ、インスタントコーヒーを少し入れるのもおすすめです。一晩寝かせると、さらにおいしくなります。
        """,
        ("辛さを抑えて子ども向けにするには？",
         """
         子ども向けにするには、いくつか方法があります。

         - **甘口のルー**を使うか、甘口と中辛を半分ずつ混ぜる。
         - **すりおろしりんご**や**はちみつ**を加えて、まろやかにする。
         - 仕上げに**牛乳**や**ヨーグルト**を少し加えると、辛さがやわらぎます。
         - 大人用には、取り分けてからガラムマサラや一味唐辛子で辛さを足すと、一つの鍋で両方作れます。

         なお、はちみつは1歳未満の赤ちゃんには与えないでください。
         """),
    ),
    S(
        ["Pythonでリストの重複を削除する方法は？", "python 重複を削除して順番を保つには"],
        r"""
        いくつか方法があります。順番を保つかどうかで選びましょう。

        ```python
        items = ["りんご", "みかん", "りんご", "ぶどう", "みかん"]

        # 1. 順番を気にしない場合: set を使う
        unique = list(set(items))

        # 2. 元の順番を保つ場合: dict.fromkeys を使う（Python 3.7 以降）
        unique_ordered = list(dict.fromkeys(items))
        print(unique_ordered)  # ['りんご', 'みかん', 'ぶどう']
        ```

        - `set` は高速ですが、要素の順番が保証されません。
        - `dict.fromkeys` は、辞書が挿入順を保持する性質を利用しているので、最初に出てきた順番が保たれます。

        辞書のリストのように、そのままでは `set` に入れられない要素の場合は、キーを決めて判定します。

        ```python
        users = [{"id": 1, "name": "佐藤"}, {"id": 2, "name": "鈴木"}, {"id": 1, "name": "佐藤"}]
        seen = set()
        result = []
        for u in users:
            if u["id"] not in seen:
                seen.add(u["id"])
                result.append(u)
        ```
        """,
    ),
    S(
        ["京都で2日間観光するおすすめのプランは？", "京都 1泊2日 モデルコース"],
        """
        京都を2日間で楽しむモデルコースをご紹介します。

        **1日目：東山エリア**
        - 朝一番に**伏見稲荷大社**へ。千本鳥居は早朝が空いていて幻想的です。
        - **清水寺**から**二年坂・三年坂**を歩いて、**八坂神社**へ。
        - 夕方は**祇園**の花見小路を散策。運が良ければ舞妓さんに会えるかもしれません。

        **2日目：嵐山と金閣寺**
        - 朝は**嵐山**の竹林の小径と**天龍寺**。渡月橋周辺で湯豆腐のランチもおすすめです。
        - 午後は**金閣寺**、時間があれば**龍安寺**の石庭へ。
        - 最後に**錦市場**で食べ歩きをして、京都駅へ。

        **ポイント：**
        - 市バスは混雑しやすいので、電車（地下鉄・JR・京阪・嵐電）をうまく組み合わせると効率的です。
        - 紅葉や桜の時期は非常に混むので、朝早く行動するのがコツです。
        """,
    ),
    S(
        ["「は」と「が」の違いを教えてください", "日本語の「は」と「が」の使い分けが難しい"],
        """
        日本語学習者が最も悩むポイントの一つですね。基本的な違いを整理します。

        **「は」：話題（トピック）を示す**
        - 「私**は**学生です。」→「私について言うと」という意味で、話題を提示します。
        - 既に知っている情報や、対比にも使います。「肉**は**食べますが、魚**は**食べません。」

        **「が」：主語を特定する・新しい情報を示す**
        - 「誰が来ましたか？」「田中さん**が**来ました。」→ 答えの中心（新しい情報）に「が」を使います。
        - 自然現象や見たままの描写：「雨**が**降っています。」
        - 従属節の中の主語：「私**が**作ったケーキ」

        **比べてみましょう：**
        - 「象**は**鼻**が**長い。」→ 話題は「象」、その中で「鼻が長い」という説明。
        - 「私**が**田中です。」→「田中さんはどなたですか？」への答え。「私こそが田中だ」という強調。
        - 「私**は**田中です。」→ 普通の自己紹介。

        最初は「質問の答えになる部分には『が』」と覚えるだけでも、かなり自然になります。
        """,
    ),
    S(
        ["俳句を作ってください。テーマは秋です", "秋の俳句をいくつか作って"],
        """
        秋をテーマにした俳句を三つ作りました。

        ~~~
        夕焼けに
        影をのばして
        赤とんぼ

        栗ひとつ
        ポケットの中
        あたたかし

        月の夜
        誰も知らない
        虫の歌
        ~~~

        どれも五・七・五の形で、「赤とんぼ」「栗」「月」「虫」などの秋の季語を使っています。
        """,
    ),
    S(
        ["仕事のストレスを減らすにはどうすればいいですか？", "仕事が忙しくてストレスがたまっています"],
        """
        お疲れさまです。仕事のストレスを減らすために、取り入れやすい方法をいくつか紹介します。

        1. **仕事を見える化する**：やるべきことを書き出し、優先順位をつけましょう。頭の中だけで抱えて
           いると、実際以上に負担を感じます。
        2. **一度に一つのことに集中する**：マルチタスクは疲れやすく、ミスも増えます。25〜50分集中して
           短い休憩を取る方法がおすすめです。
        3. **断る・相談する**：抱えきれない仕事は、早めに上司や同僚に相談しましょう。
        4. **オンとオフを分ける**：勤務時間外はできるだけ仕事のメールを見ない、通知を切るなど。
        5. **体を動かす**：散歩や軽い運動は、ストレスホルモンを減らす効果があります。
        6. **睡眠を優先する**：睡眠不足はストレスへの耐性を大きく下げます。

        もし、眠れない、食欲がない、何をしても楽しくない状態が2週間以上続く場合は、無理をせず、
        医師やカウンセラー、会社の産業医に相談してください。
        """,
    ),
    S(["こんにちは", "こんにちは！", "はじめまして"], "こんにちは！今日はどのようなご用件でしょうか？"),
    S(
        ["日本の首都はどうして東京なのですか？", "いつから東京が首都になったの？"],
        """
        もともと日本の都は長い間**京都**（平安京、794年〜）にありました。

        1603年に徳川家康が**江戸**に幕府を開くと、政治の中心は江戸に移りましたが、天皇は京都に住み続けて
        いました。

        1868年、明治維新によって江戸幕府が終わると、江戸は**「東京」（東の京）**と改名されました。そして
        1869年に明治天皇が東京に移り、政府の機関も東京に置かれたことで、事実上の首都となりました。

        実は、「東京を首都とする」と明記した法律は現在もなく、正式な「遷都」の宣言もされていません。
        そのため、「京都はまだ都だ」という冗談を言う京都の人もいます。
        """,
    ),
]

KITS["Korean"] = {
    "open": ["", "", "", "", "안녕하세요. ", "질문이 있어요. ", "궁금한 게 있는데요, "],
    "ack": ["", "", "", "물론이죠! ", "좋은 질문이에요. ", "네, 알려드릴게요. "],
    "next": ["감사합니다! 하나 더 물어볼게요. ", "그렇군요. 그리고 ", "좋아요. ", "또 궁금한 게 있어요. "],
    "thanks": [
        ("감사합니다!", "천만에요! 궁금한 점이 있으면 언제든지 물어보세요."),
        ("고마워요, 도움이 많이 됐어요", "도움이 되었다니 다행이에요!"),
    ],
}

KOREAN = [
    S(
        ["김치찌개 만드는 법 알려주세요", "맛있는 김치찌개 레시피", "집에서 김치찌개 끓이는 방법이 궁금해요"],
        """
        집에서 쉽게 만들 수 있는 돼지고기 김치찌개 레시피예요. (2~3인분)

        **재료**
        - 잘 익은 김치 2컵 (신김치일수록 맛있어요)
        - 돼지고기 (앞다리살 또는 삼겹살) 200g
        - 두부 반 모
        - 양파 반 개, 대파 1대
        - 고춧가루 1큰술, 다진 마늘 1큰술
        - 김칫국물 반 컵, 물 또는 육수 2컵
        - 식용유 또는 참기름 1큰술

        **만드는 법**
        1. 냄비에 기름을 두르고 돼지고기를 볶아요. 고기 겉면이 익으면 김치를 넣고 5분 정도 충분히 볶아요.
        2. 고춧가루와 다진 마늘을 넣고 1분 더 볶아요.
        3. 물(또는 멸치 육수)과 김칫국물을 붓고 끓여요.
        4. 끓어오르면 중불로 줄이고 15분 정도 끓여요.
        5. 두부와 양파를 넣고 5분 더 끓인 뒤, 대파를 넣고 간을 봐요. 싱거우면 국간장이나 소금으로 맞춰요.

        **팁:** 김치가 너무 시면 설탕을 아주 조금 넣으면 맛이 부드러워져요. 참치 캔을 넣어서 참치김치찌개로
        만들어도 맛있어요.
        """,
    ),
    S(
        ["파이썬에서 딕셔너리 사용법을 알려주세요", "python dict 기본 사용법 예제"],
        r"""
        딕셔너리(dict)는 **키(key)와 값(value)** 을 짝지어 저장하는 자료형이에요.

        ```python
        # 만들기
        student = {"name": "민준", "age": 21, "major": "컴퓨터공학"}

        # 값 읽기
        print(student["name"])            # 민준
        print(student.get("phone", "없음"))  # 키가 없으면 기본값 반환

        # 추가 및 수정
        student["age"] = 22
        student["phone"] = "010-1234-5678"

        # 삭제
        del student["phone"]

        # 반복문
        for key, value in student.items():
            print(f"{key}: {value}")

        # 키가 있는지 확인
        if "major" in student:
            print("전공이 등록되어 있어요")
        ```

        자주 쓰는 패턴으로, 단어 개수를 셀 때는 이렇게 해요:

        ```python
        words = ["사과", "바나나", "사과", "포도", "사과"]
        counts = {}
        for w in words:
            counts[w] = counts.get(w, 0) + 1
        print(counts)  # {'사과': 3, '바나나': 1, '포도': 1}
        ```

        `dict["키"]` 는 키가 없으면 `KeyError` 가 나지만, `dict.get("키")` 는 `None` 이나 기본값을 돌려줘서
        더 안전해요.
        """,
    ),
    S(
        ["서울 2박 3일 여행 코스 추천해 주세요", "처음 서울 가는데 어디 가면 좋을까요?"],
        """
        처음 서울을 방문한다면 이런 코스를 추천해요.

        **1일차: 역사와 전통**
        - **경복궁**: 한복을 입으면 입장료가 무료예요. 수문장 교대식도 꼭 보세요.
        - **북촌 한옥마을**과 **삼청동** 산책.
        - 저녁에는 **인사동**이나 **익선동**에서 식사.

        **2일차: 도심과 야경**
        - **명동**에서 쇼핑과 길거리 음식.
        - **남산서울타워**: 케이블카를 타거나 걸어서 올라갈 수 있어요. 해 질 무렵에 가면 야경이 멋져요.
        - 밤에는 **동대문디자인플라자(DDP)**.

        **3일차: 트렌디한 서울**
        - **홍대** 또는 **성수동**에서 카페 투어.
        - **한강공원**에서 치킨과 라면 먹기는 서울의 필수 코스예요!
        - 시간이 되면 **더현대 서울**이나 **코엑스 별마당 도서관**도 좋아요.

        **팁:** 교통카드(티머니)를 사면 지하철과 버스를 편하게 탈 수 있고, 지도 앱은 네이버 지도나
        카카오맵이 정확해요.
        """,
    ),
    S(
        ["한글은 누가 만들었나요?", "훈민정음에 대해 알려줘"],
        """
        한글은 조선의 네 번째 왕인 **세종대왕**이 만들었어요. 1443년에 창제하고, 1446년에
        **「훈민정음」**이라는 이름으로 반포했어요. '훈민정음'은 "백성을 가르치는 바른 소리"라는 뜻이에요.

        **만든 이유:** 당시에는 한자를 사용했는데, 배우기가 너무 어려워서 대부분의 백성은 글을 읽고 쓸 수
        없었어요. 세종대왕은 누구나 쉽게 배울 수 있는 문자를 만들고 싶어 했어요.

        **과학적인 원리:**
        - **자음**은 소리를 낼 때 발음 기관의 모양을 본떠 만들었어요. 예를 들어 'ㄱ'은 혀뿌리가 목구멍을
          막는 모양, 'ㅁ'은 입의 모양이에요.
        - **모음**은 하늘(·), 땅(ㅡ), 사람(ㅣ)을 본떠 기본 글자를 만들고, 이를 조합했어요.

        한글날은 **10월 9일**이고, 「훈민정음 해례본」은 유네스코 세계기록유산으로 등재되어 있어요.
        """,
    ),
    S(
        ["면접에서 자기소개 어떻게 하면 좋을까요?", "1분 자기소개 팁 알려주세요"],
        """
        면접 자기소개는 1분 안팎으로, **나를 기억하게 만드는 것**이 목표예요. 이런 구조를 추천해요.

        1. **첫 문장으로 인상 남기기**: 이름과 함께 나를 한 문장으로 표현해요.
           예: "데이터로 문제를 해결하는 것을 좋아하는 지원자 김OO입니다."
        2. **핵심 경험 1~2개**: 지원 직무와 관련된 경험을 구체적인 숫자와 함께 말해요.
           예: "인턴 기간 동안 고객 문의 데이터를 분석해 응답 시간을 30% 줄였습니다."
        3. **지원 동기와 포부**: 왜 이 회사, 이 직무인지 짧게 연결해요.

        **주의할 점**
        - 이력서를 그대로 읽지 말고, 자연스럽게 말하듯이 연습하세요.
        - 가족 관계나 성장 과정처럼 직무와 관계없는 이야기는 줄이세요.
        - 소리 내어 여러 번 연습하고, 시간을 재 보세요.

        마지막에 면접관이 질문하고 싶어지는 포인트를 남기면 더 좋아요.
        """,
    ),
    S(["안녕하세요", "안녕!", "안녕하세요!"], "안녕하세요! 무엇을 도와드릴까요?"),
]


def _fr_math(rng: random.Random) -> dict:
    p = rng.choice([40, 60, 80, 120, 150, 250])
    d = rng.choice([10, 20, 25, 30, 40])
    sale = p * (1 - d / 100)
    return S(
        [f"Un manteau coûte {p} €. Il est soldé à -{d} %. Combien je vais payer ?",
         f"calcul : {p} euros avec une réduction de {d} %, ça fait combien ?"],
        f"""
        La réduction vaut {d} % de {p} €, soit {p} × {d}/100 = **{num(p * d / 100)} €**.

        Le prix soldé est donc {p} − {num(p * d / 100)} = **{num(sale)} €**.

        Astuce : on peut aussi calculer directement {p} × {1 - d / 100:g} = {num(sale)} €, car payer
        {100 - d} % du prix revient au même.
        """,
        (f"Et si on ajoute encore {d // 2} % de réduction sur le prix soldé ?",
         f"""
         La deuxième réduction s'applique sur le prix déjà soldé : {num(sale)} × {1 - (d // 2) / 100:g} =
         **{num(sale * (1 - (d // 2) / 100))} €**. Attention : deux réductions successives de {d} % puis
         {d // 2} % ne font pas {d + d // 2} %, mais seulement
         {num(100 - 100 * (1 - d / 100) * (1 - (d // 2) / 100), 1)} % au total.
         """),
    )


def _es_math(rng: random.Random) -> dict:
    v = rng.choice([60, 80, 90, 100, 120])
    t = rng.choice([2, 3, 4, 5])
    ms = num(v / 3.6, 1).replace(".", ",")
    return S(
        [f"Un coche recorre {v * t} km en {t} horas. ¿Cuál es su velocidad media?",
         f"problema: si un tren hace {v * t} km en {t} h, ¿a qué velocidad va?"],
        f"""
        La velocidad media es la distancia dividida entre el tiempo:

        v = {v * t} km ÷ {t} h = **{v} km/h**

        Si lo quieres en metros por segundo, divide entre 3,6: {v} ÷ 3,6 ≈ **{ms}
        m/s**.
        """,
        ("¿Y cuánto tardaría en recorrer 500 km a esa velocidad?",
         f"""
         Tiempo = distancia ÷ velocidad = 500 ÷ {v} ≈ {num(500 / v, 2).replace(".", ",")} horas, es decir,
         unas **{int(500 / v)} horas y {round((500 / v - int(500 / v)) * 60)} minutos** (sin contar paradas).
         """),
    )


def de(x: float) -> str:
    """A euro amount written the German way: 12.345,67."""
    return f"{x:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def _de_math(rng: random.Random) -> dict:
    k = rng.choice([5000, 10000, 20000])
    z = rng.choice([2, 3, 4, 5])
    n = rng.choice([5, 10])
    end = k * (1 + z / 100) ** n
    return S(
        [f"Ich lege {k} € für {n} Jahre zu {z} % Zinsen pro Jahr an. Wie viel habe ich am Ende (mit "
         "Zinseszins)?",
         f"zinseszins berechnen: {k} euro, {z} prozent, {n} jahre"],
        f"""
        Mit der Zinseszinsformel K_n = K_0 × (1 + p/100)^n:

        K_{n} = {de(k)} × (1,{z:02d})^{n} ≈ **{de(end)} €**.

        Davon sind {de(end - k)} € Zinsen. Zum Vergleich: Ohne Zinseszins (einfache Verzinsung) wären es nur
        {de(k * z / 100 * n)} € Zinsen gewesen. Inflation und Steuern sind dabei nicht berücksichtigt.
        """,
    )


def _pt_math(rng: random.Random) -> dict:
    a, b = rng.choice([(3, 6), (4, 12), (6, 12), (2, 3), (10, 15)])
    tt = a * b / (a + b)
    return S(
        [f"Uma torneira enche um tanque em {a} horas e outra em {b} horas. Juntas, em quanto tempo enchem?",
         f"problema de torneiras: {a}h e {b}h, quanto tempo juntas?"],
        f"""
        Vamos pensar em quanto do tanque cada torneira enche por hora:

        - Torneira A: 1/{a} do tanque por hora
        - Torneira B: 1/{b} do tanque por hora
        - Juntas: 1/{a} + 1/{b} = {a + b}/{a * b} do tanque por hora

        O tempo para encher o tanque inteiro é o inverso: {a * b}/{a + b} = **{num(tt).replace(".", ",")}
        horas**{"" if tt == int(tt) else f" (ou seja, {int(tt)} h e {round((tt - int(tt)) * 60)} min)"}.
        """,
    )


def _ru_math(rng: random.Random) -> dict:
    s = rng.choice([24, 30, 36, 40, 48])
    x = rng.choice([v for v in (8, 10, 12, 14) if 2 * v != s])
    y = s - x
    return S(
        [f"В классе {s} учеников. Девочек на {abs(y - x)} {'больше' if y > x else 'меньше'}, чем мальчиков. "
         "Сколько мальчиков и сколько "
         "девочек?"] if x != y else [f"В классе {s} учеников, девочек столько же, "
                                                                   "сколько мальчиков. Сколько девочек?"],
        f"""
        Пусть мальчиков **x**. Тогда девочек x {'+' if y >= x else '−'} {abs(y - x)}.

        Составим уравнение: x + (x {'+' if y >= x else '−'} {abs(y - x)}) = {s}
        2x = {s} {'−' if y >= x else '+'} {abs(y - x)} = {2 * x}
        x = {x}

        **Ответ:** мальчиков — {x}, девочек — {y}. Проверка: {x} + {y} = {s}. ✓
        """,
    )


def _zh_math(rng: random.Random) -> dict:
    chickens = rng.randint(8, 30)
    rabbits = rng.randint(5, 25)
    heads = chickens + rabbits
    legs = 2 * chickens + 4 * rabbits
    return S(
        [f"鸡兔同笼，共有{heads}个头，{legs}只脚，鸡和兔各有多少只？",
         f"鸡兔同笼问题：{heads}个头，{legs}条腿，怎么算？"],
        f"""
        这是经典的"鸡兔同笼"问题，可以用**假设法**：

        1. 假设全部都是鸡，那么脚的数量应该是 {heads} × 2 = {heads * 2} 只。
        2. 实际有 {legs} 只脚，多出了 {legs} − {heads * 2} = {legs - heads * 2} 只。
        3. 每把一只鸡换成一只兔，脚就多 2 只，所以兔子有 {legs - heads * 2} ÷ 2 = **{rabbits} 只**。
        4. 鸡有 {heads} − {rabbits} = **{chickens} 只**。

        **验算：** {chickens} × 2 + {rabbits} × 4 = {chickens * 2} + {rabbits * 4} = {legs}。✓

        也可以用方程：设鸡 x 只、兔 y 只，x + y = {heads}，2x + 4y = {legs}，
        解得 x = {chickens}，y = {rabbits}。
        """,
    )


# =========================================================================================================
# Long conversations (3,000+ words): code reviews, stories written in parts, long documents to summarise.
# =========================================================================================================

# Each entry of the review catalogue: (name, code under review, review note, improved code or "").
REVIEW_CATALOGUE = [
    ("load_orders", r'''
def load_orders(path):
    f = open(path)
    orders = []
    for line in f.readlines():
        try:
            orders.append(json.loads(line))
        except:
            pass
    return orders
''', """
The file is never closed, no encoding is given (so it depends on the platform's default), and
`readlines()` loads the whole file into memory. The bare `except: pass` is the bigger problem: it
silently drops malformed lines *and* would also swallow `KeyboardInterrupt` and real bugs. At minimum,
catch `json.JSONDecodeError`, count or log the bad lines, and skip blank lines explicitly.
""", r'''
def load_orders(path: Path) -> list[dict]:
    orders, bad = [], 0
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                orders.append(json.loads(line))
            except json.JSONDecodeError:
                bad += 1
                log.warning("skipping malformed order on line %d of %s", line_no, path)
    if bad:
        log.info("loaded %d orders, skipped %d malformed lines", len(orders), bad)
    return orders
'''),
    ("calculate_total", r'''
def calculate_total(order):
    total = 0.0
    for item in order["items"]:
        total = total + item["price"] * item["qty"]
    if order.get("coupon"):
        total = total - total * order["coupon"]["percent"] / 100
    total = total + total * TAX_RATE
    return round(total, 2)
''', """
Money is accumulated as binary floats, so totals like 0.1 + 0.2 will drift and `round()` can round
the "wrong" way on values like 2.675. Use `Decimal` (or integer cents) end to end, and quantise once
with an explicit rounding mode. Also, the coupon percentage isn't validated here, and the order of
operations (discount before tax) is a business rule worth a comment, since some jurisdictions
require the reverse.
""", r'''
CENT = Decimal("0.01")

def calculate_total(order: dict) -> Decimal:
    subtotal = sum((Decimal(str(i["price"])) * i["qty"] for i in order["items"]), Decimal(0))
    coupon = order.get("coupon")
    if coupon:
        percent = Decimal(str(coupon["percent"]))
        if not 0 <= percent <= 100:
            raise ValueError(f"invalid coupon percent: {percent}")
        subtotal -= subtotal * percent / 100      # discount is applied before tax (finance rule F-12)
    total = subtotal * (1 + TAX_RATE)                # TAX_RATE = Decimal("0.08") now
    return total.quantize(CENT, rounding=ROUND_HALF_UP)
'''),
    ("find_customer", r'''
def find_customer(customers, email):
    for c in customers:
        if c["email"] == email:
            return c
    return None

def attach_customers(orders, customers):
    for o in orders:
        o["customer"] = find_customer(customers, o["email"])
''', """
`attach_customers` calls a linear search for every order, which is O(orders × customers); with 50k of
each that's 2.5 billion comparisons. Build a dictionary once and look up in O(1). Emails should also be
normalised (strip and lower-case) on both sides, otherwise "Ana@Example.com" and "ana@example.com" won't
match. Finally, `attach_customers` mutates the orders in place, which the name doesn't make obvious.
""", r'''
def index_customers(customers: list[dict]) -> dict[str, dict]:
    return {c["email"].strip().lower(): c for c in customers}

def attach_customers(orders: list[dict], customers: list[dict]) -> None:
    """Set order["customer"] in place (None when the email is unknown)."""
    by_email = index_customers(customers)
    for order in orders:
        order["customer"] = by_email.get(order["email"].strip().lower())
'''),
    ("group_by_status", r'''
def group_by_status(orders, groups={}):
    for o in orders:
        if o["status"] in groups.keys():
            groups[o["status"]].append(o)
        else:
            groups[o["status"]] = [o]
    return groups
''', """
This has the classic mutable default argument bug: `groups={}` is created once, so every call without
an explicit argument keeps adding to the same dictionary, and the second report will contain the
orders of the first. `in groups.keys()` is also redundant (`in groups` does the same). A
`defaultdict(list)` makes the whole function three lines.
""", r'''
def group_by_status(orders: Iterable[dict]) -> dict[str, list[dict]]:
    groups: defaultdict[str, list[dict]] = defaultdict(list)
    for order in orders:
        groups[order["status"]].append(order)
    return dict(groups)
'''),
    ("format_address", r'''
def format_address(a):
    s = a["name"] + "\n" + a["street"] + "\n"
    if a["line2"] != None:
        s = s + a["line2"] + "\n"
    s = s + a["zip"] + " " + a["city"] + "\n" + a["country"].upper()
    return s
''', """
It crashes with `KeyError` when `line2` is absent rather than `None`, and with `TypeError` if the zip
code was stored as an integer. Use `is not None` instead of `!= None`, `.get()` for optional fields,
and build the lines in a list joined at the end. Address formats also differ by country (the US puts
the zip after the state, the UK puts the postcode on its own line), so consider a small per-country
template table if you ship internationally.
""", r'''
def format_address(a: dict) -> str:
    lines = [a["name"], a["street"]]
    if a.get("line2"):
        lines.append(a["line2"])
    lines.append(f"{a['zip']} {a['city']}")
    lines.append(str(a["country"]).upper())
    return "\n".join(lines)
'''),
    ("send_confirmation", r'''
def send_confirmation(order):
    server = smtplib.SMTP("smtp.example.com", 587)
    server.starttls()
    server.login("orders@example.com", "Winter2023!")
    msg = "Subject: Your order " + str(order["id"]) + "\n\nThanks for your order!"
    server.sendmail("orders@example.com", order["email"], msg)
''', """
There is a password committed in the source: rotate it now and load credentials from the environment
or a secrets manager. The connection has no timeout and is never closed (`server.quit()`), so a slow
SMTP server can hang the worker. Building the message by string concatenation also skips proper
headers and encoding; `email.message.EmailMessage` handles From/To/Subject and non-ASCII names
correctly. Sending email synchronously inside order processing is fragile; a queue would decouple it.
""", r'''
def send_confirmation(order: dict, settings: MailSettings) -> None:
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = order["email"]
    msg["Subject"] = f"Your order {order['id']}"
    msg.set_content("Thanks for your order! We'll email you again when it ships.")
    with smtplib.SMTP(settings.host, settings.port, timeout=10) as server:
        server.starttls()
        server.login(settings.user, settings.password)   # from the environment, never from source
        server.send_message(msg)
'''),
    ("parse_date", r'''
def parse_date(s):
    for fmt in ["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y"]:
        try:
            return datetime.strptime(s, fmt)
        except:
            continue
    return None
''', """
Accepting both `%d/%m/%Y` and `%m/%d/%Y` is ambiguous: "03/04/2024" is parsed as 3 April and never as
4 March, silently. Pick one convention per data source instead of guessing. The bare `except` should be
`except ValueError`, and returning `None` pushes the error somewhere far away; raising a clear
exception (or returning a result the caller must check) makes bad data visible. Also note the result
is a naive datetime with no time zone.
""", r'''
def parse_date(s: str, fmt: str = "%Y-%m-%d") -> datetime:
    """Parse one known format per source; never guess between day-first and month-first."""
    try:
        return datetime.strptime(s.strip(), fmt)
    except ValueError:
        raise ValueError(f"bad date {s!r}, expected format {fmt}") from None
'''),
    ("is_valid_email", r'''
EMAIL_RE = re.compile(r"^[a-z0-9]+@[a-z]+\.[a-z]{2,3}$")

def is_valid_email(email):
    return EMAIL_RE.match(email) != None
''', """
The pattern rejects many real addresses: uppercase letters, dots and plus signs in the local part
(`first.last+shop@...`), hyphens and subdomains in the domain (`mail.my-company.co.uk`) and longer
top-level domains like `.museum` or `.photography`. Perfect email validation by regex is impossible;
a loose check (one "@", something on both sides, a dot in the domain) plus a confirmation email is the
practical approach. Use `is not None`, or simply `bool(...)`.
""", r'''
def is_valid_email(email: str) -> bool:
    local, sep, domain = email.strip().rpartition("@")
    return bool(sep and local and "." in domain and not domain.startswith(".") and " " not in email)
'''),
    ("compute_shipping", r'''
def compute_shipping(weight, country):
    if country == "US":
        if weight < 1:
            return 5.99
        elif weight < 5:
            return 9.99
        else:
            return 9.99 + (weight - 5) * 1.5
    elif country == "CA":
        if weight < 1:
            return 8.99
        else:
            return 14.99 + weight * 2
    else:
        return 24.99 + weight * 4
''', """
The rates are hard-coded magic numbers spread across nested branches, so a price change means editing
logic. A rate table (data) plus one small function (logic) is easier to review and test. Check the
boundaries too: Canada jumps from 8.99 to 16.99 at exactly 1 kg, which may or may not be intended, and
negative or zero weights are accepted without complaint.
""", r'''
# (max_weight_kg, base, per_kg_over) per country; the last band has no upper limit
RATES = {
    "US": [(1, 5.99, 0), (5, 9.99, 0), (None, 9.99, 1.5)],
    "CA": [(1, 8.99, 0), (None, 16.99, 2.0)],
}
DEFAULT_RATE = [(None, 24.99, 4.0)]

def compute_shipping(weight_kg: float, country: str) -> float:
    if weight_kg <= 0:
        raise ValueError("weight must be positive")
    lower = 0.0
    for limit, base, per_kg in RATES.get(country, DEFAULT_RATE):
        if limit is None or weight_kg < limit:
            return round(base + max(0.0, weight_kg - lower) * per_kg, 2)
        lower = limit
    raise AssertionError("rate table must end with an open band")
'''),
    ("export_csv", r'''
def export_csv(orders, path):
    out = open(path, "w")
    out.write("id,customer,total,status\n")
    for o in orders:
        line = str(o["id"]) + "," + o["customer"]["name"] + "," + str(o["total"]) + "," + o["status"]
        out.write(line + "\n")
    out.close()
''', """
Writing CSV by hand breaks as soon as a customer name contains a comma or a quote ("Smith, Jr."), and
`o["customer"]` is `None` for unknown emails, which raises `TypeError` halfway through and leaves a
truncated file. Use the `csv` module, a `with` block, an explicit encoding (Excel likes `utf-8-sig`), and
consider writing to a temporary file and renaming it so readers never see a partial export.
""", r'''
def export_csv(orders: list[dict], path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "customer", "total", "status"])
        for o in orders:
            customer = o.get("customer") or {}
            writer.writerow([o["id"], customer.get("name", ""), o["total"], o["status"]])
    tmp.replace(path)   # atomic on the same filesystem
'''),
    ("retry", r'''
def retry(func, attempts=3):
    for i in range(attempts):
        try:
            return func()
        except Exception:
            time.sleep(1)
    return None
''', """
Every exception is retried, including programming errors like `TypeError` that will never succeed, and
after the last attempt the error is thrown away and `None` is returned, so the caller can't tell
"failed" from "returned nothing". Retry only transient errors (timeouts, connection errors), use
exponential backoff with jitter so many workers don't retry in lockstep, and re-raise the last
exception when you give up.
""", r'''
def retry(func, attempts: int = 3, retry_on=(TimeoutError, ConnectionError), base_delay: float = 0.5):
    for attempt in range(1, attempts + 1):
        try:
            return func()
        except retry_on:
            if attempt == attempts:
                raise
            time.sleep(base_delay * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))
'''),
    ("get_exchange_rate", r'''
_rates = {}

def get_exchange_rate(currency):
    if currency in _rates:
        return _rates[currency]
    resp = requests.get("https://rates.example.com/latest?base=USD&symbol=" + currency)
    rate = resp.json()["rate"]
    _rates[currency] = rate
    return rate
''', """
The cache never expires, so after a week the service is still using last week's exchange rates until
the process restarts. The request has no timeout and doesn't check the status code, so an error page
turns into a confusing `KeyError`. Also, the currency is pasted into the URL unescaped; use the `params`
argument. A small time-to-live cache (store the fetch time next to the rate) fixes the staleness.
""", r'''
_RATES: dict[str, tuple[float, float]] = {}   # currency -> (rate, fetched_at)
RATE_TTL_SECONDS = 15 * 60

def get_exchange_rate(currency: str) -> float:
    cached = _RATES.get(currency)
    if cached and time.monotonic() - cached[1] < RATE_TTL_SECONDS:
        return cached[0]
    resp = requests.get("https://rates.example.com/latest", params={"base": "USD", "symbol": currency},
                        timeout=5)
    resp.raise_for_status()
    rate = float(resp.json()["rate"])
    _RATES[currency] = (rate, time.monotonic())
    return rate
'''),
    ("merge_inventory", r'''
def merge_inventory(warehouse, incoming):
    for sku in incoming:
        if sku in warehouse:
            warehouse[sku] += incoming[sku]
        else:
            warehouse[sku] = incoming[sku]
    return warehouse
''', """
It both mutates `warehouse` *and* returns it, which invites bugs: callers who write
`new = merge_inventory(current, delivery)` will be surprised that `current` changed too. Choose one
style: either return a new dict (`Counter(warehouse) + Counter(incoming)`, but note that `+` drops zero
and negative counts) or mutate in place and return `None`, like `list.sort()`. Negative incoming
quantities (returns, corrections) should probably be validated.
""", r'''
def merge_inventory(warehouse: dict[str, int], incoming: dict[str, int]) -> dict[str, int]:
    """Return a new inventory; neither argument is modified."""
    merged = dict(warehouse)
    for sku, qty in incoming.items():
        if qty < 0:
            raise ValueError(f"negative quantity for {sku}: {qty}")
        merged[sku] = merged.get(sku, 0) + qty
    return merged
'''),
    ("paginate", r'''
def paginate(items, page, per_page=20):
    start = page * per_page
    end = start + per_page
    return items[start:end]
''', """
The API docs say pages start at 1, but this treats them as 0-based, so page 1 returns items 21–40 and
the first twenty are unreachable. Negative page numbers slice from the end of the list instead of
failing. Validate the inputs and return the total page count too, so clients know when to stop.
""", r'''
def paginate(items: Sequence, page: int, per_page: int = 20) -> tuple[Sequence, int]:
    """Return (the items of 1-based `page`, the number of pages)."""
    if page < 1 or per_page < 1:
        raise ValueError("page and per_page must be >= 1")
    pages = max(1, math.ceil(len(items) / per_page))
    start = (page - 1) * per_page
    return items[start:start + per_page], pages
'''),
    ("generate_order_id", r'''
def generate_order_id():
    return "ORD" + str(int(time.time())) + str(random.randint(100, 999))
''', """
Two orders created in the same second have a 1-in-900 chance of colliding per pair, which becomes likely
at a few hundred orders per second (the birthday problem), and the IDs reveal your order volume and
timing to anyone who places two orders. Use `uuid.uuid4()` or `secrets.token_hex`, or let the database
generate IDs, and keep a unique constraint on the column either way.
""", r'''
def generate_order_id() -> str:
    return "ORD-" + secrets.token_hex(8).upper()   # 64 random bits, not guessable, no timing leak
'''),
    ("orders_for_customer", r'''
def orders_for_customer(conn, email):
    cur = conn.cursor()
    cur.execute(f"SELECT id, total, status FROM orders WHERE email = '{email}'")
    return cur.fetchall()
''', """
This is an SQL injection vulnerability: an "email" like `x' OR '1'='1` returns every order in the
database, and worse inputs can modify data. Always use parameterised queries; the driver then sends the
value separately from the SQL text. It's the single most important fix in this file.
""", r'''
def orders_for_customer(conn, email: str) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute("SELECT id, total, status FROM orders WHERE email = %s", (email.strip().lower(),))
        return cur.fetchall()
'''),
    ("OrderProcessor", r'''
class OrderProcessor:
    def __init__(self):
        self.orders = load_orders("/data/orders.jsonl")
        self.customers = json.load(open("/data/customers.json"))
        self.processed = 0

    def process_all(self):
        for o in self.orders:
            try:
                self.process(o)
                self.processed += 1
            except Exception as e:
                print("error", e)
''', """
The constructor does file I/O with hard-coded absolute paths, which makes the class impossible to unit
test without those files and hard to reuse. Pass the data (or the paths) in, or add a `from_files`
class method. In `process_all`, printing the exception loses the traceback and the order ID; use
`log.exception("failed to process order %s", o["id"])` and keep a list of failures so the caller can
report or retry them.
""", r'''
class OrderProcessor:
    def __init__(self, orders: list[dict], customers: list[dict]):
        self.orders = orders
        self.customers = customers
        self.processed = 0
        self.failures: list[tuple[str, Exception]] = []

    @classmethod
    def from_files(cls, orders_path: Path, customers_path: Path) -> "OrderProcessor":
        with open(customers_path, encoding="utf-8") as f:
            customers = json.load(f)
        return cls(load_orders(orders_path), customers)

    def process_all(self) -> None:
        for o in self.orders:
            try:
                self.process(o)
                self.processed += 1
            except Exception as e:   # keep going, but keep the traceback and the order id
                log.exception("failed to process order %s", o.get("id"))
                self.failures.append((o.get("id"), e))
'''),
    ("log_event", r'''
def log_event(kind, order, extra=""):
    line = "[" + str(datetime.now()) + "] " + kind + " order=" + str(order["id"]) + " " + extra
    print(line)
    with open("events.log", "a") as f:
        f.write(line + "\n")
''', """
This reimplements logging by hand: it opens and closes the file for every event (slow under load),
isn't safe when several processes write at once, uses local time without a time zone, and can't be
turned down or redirected. The standard `logging` module does all of this; configure handlers once at
start-up and call `log.info("%s order=%s %s", kind, order["id"], extra)`.
""", r'''
def log_event(kind: str, order: dict, extra: str = "") -> None:
    log.info("%s order=%s %s", kind, order["id"], extra)   # handlers are configured once at start-up
'''),
]

REVIEW_INTROS = [
    ("Can you review this Python module? It's part of our order processing service. Please focus on bugs, "
     "security issues and anything that will hurt us at scale.", "orders.py"),
    ("I inherited this code from a contractor and I have to maintain it now. Could you do a thorough code "
     "review and tell me what to fix first?", "order_utils.py"),
    ("Please review the following file before I open a pull request. Be picky, I want to learn.",
     "shop/orders.py"),
    ("Our checkout service has had a few incidents lately. Here's the main helper module. What problems do "
     "you see?", "checkout_helpers.py"),
    ("Code review request: this script runs nightly to process orders and send emails. Anything wrong with "
     "it?", "nightly_orders.py"),
]


MODULE_HEADER = textwrap.dedent('''
    import csv
    import json
    import logging
    import math
    import random
    import re
    import secrets
    import smtplib
    import time
    from collections import defaultdict
    from collections.abc import Iterable, Sequence
    from dataclasses import dataclass
    from datetime import datetime
    from decimal import ROUND_HALF_UP, Decimal
    from email.message import EmailMessage
    from pathlib import Path

    import requests

    log = logging.getLogger(__name__)

    TAX_RATE = Decimal("0.08")


    @dataclass(frozen=True)
    class MailSettings:
        host: str
        port: int
        user: str
        password: str
        sender: str
''').strip("\n")


def build_code_review(rng: random.Random, variant: int) -> list[tuple[str, str]]:
    """One long code review conversation, as (user, assistant) turns."""
    intro, filename = REVIEW_INTROS[variant % len(REVIEW_INTROS)]
    entries = rng.sample(REVIEW_CATALOGUE, k=rng.randint(16, 18))
    first = next(i for i, e in enumerate(entries) if e[0] == "load_orders") if any(
        e[0] == "load_orders" for e in entries) else None
    if first is not None:
        entries.insert(0, entries.pop(first))
    header = textwrap.dedent('''
        import csv
        import json
        import random
        import re
        import smtplib
        import time
        from datetime import datetime

        import requests

        TAX_RATE = 0.08
    ''').strip("\n")
    code = header + "\n\n" + "\n\n".join(textwrap.dedent(e[1]).strip("\n") for e in entries)
    user = f"{intro}\n\n`{filename}`:\n\n```python\n{code}\n```"

    notes = [f"### `{name}`\n\n{T(note)}" for name, _, note, _ in entries]
    order_of_urgency = ("orders_for_customer", "send_confirmation", "group_by_status", "calculate_total",
                        "paginate")
    present = {e[0] for e in entries}
    critical = [n for n in order_of_urgency if n in present]
    priorities = "\n".join(f"{i}. `{n}`" + {
        "orders_for_customer": ": SQL injection. Fix before anything else.",
        "send_confirmation": ": a password in the source code. Rotate it and move it out.",
        "group_by_status": ": the mutable default argument corrupts reports across calls.",
        "calculate_total": ": float money arithmetic; customers will notice cent differences.",
        "paginate": ": an off-by-one that hides the first page.",
    }[n] for i, n in enumerate(critical, 1))
    answer = T("""
        Thanks for sharing this. Overall the module is readable and the function names say what they do,
        but there are several real problems, a few of them serious. I'll go through the functions in the
        order they appear, then summarise what to fix first.

        ## Function by function
        """) + "\n\n" + "\n\n".join(notes) + "\n\n" + T("""
        ## General observations

        - **Error handling** is the recurring theme: several functions swallow exceptions (bare `except`,
          `except Exception` with a print, or returning `None`), which hides bugs and bad data. Prefer
          catching specific exceptions, logging with context, and letting unexpected errors surface.
        - **Side effects at import or construction time** (hard-coded paths, network calls without
          timeouts) make the code hard to test. Pass dependencies in.
        - **Type hints** would help a lot here; together with a checker like mypy or pyright they would
          have caught the `None` customer in the CSV export.
        - **Tests**: none of this is easy to change safely without them. Start with `calculate_total`,
          `paginate` and `compute_shipping`, which are pure functions and easy to test.

        ## What to fix first
        """) + "\n\n" + (priorities or "1. The error handling in the I/O functions.") + "\n\n" + T("""
        After that, I'd do a pass on error handling and logging, then tidy up the rest as you touch each
        function. Want me to rewrite any of these?
        """)
    turns = [(user, answer)]

    fixable = [e for e in entries if e[3]]
    rng.shuffle(fixable)
    picks = fixable[:3]
    ask = rng.choice(["Yes please, can you show the fixed versions of {}?",
                      "Great review, thanks. Could you rewrite {} the way you'd do it?",
                      "Show me the improved code for {}."])
    names = ", ".join(f"`{e[0]}`" for e in picks[:-1]) + f" and `{picks[-1][0]}`"
    parts = [T("""
        Here are the rewritten versions. I kept the same names and behaviour where the behaviour was
        correct, and added type hints so the intent is explicit.
        """)]
    for name, _, note, fixed in picks:
        parts.append(f"### `{name}`\n\n```python\n{textwrap.dedent(fixed).strip()}\n```\n\n" + T(
            f"""
            **Why:** {T(note).split(". ")[0].rstrip(".")}. The new version fixes that and stays small enough
            to unit test on its own.
            """))
    parts.append(T("""
        These need a few imports at the top of the module (`from decimal import Decimal, ROUND_HALF_UP`,
        `import logging`, `from pathlib import Path`, and so on, depending on which functions you adopt), and
        `log = logging.getLogger(__name__)` for the ones that log.
        """))
    turns.append((ask.format(names), "\n\n".join(parts)))

    test_target = rng.choice(["paginate", "calculate_total", "compute_shipping"])
    tests = {
        "paginate": r'''
            import pytest
            from orders import paginate

            ITEMS = list(range(45))

            def test_first_page_starts_at_the_first_item():
                page, pages = paginate(ITEMS, 1, per_page=20)
                assert page == list(range(20))
                assert pages == 3

            def test_last_page_is_partial():
                page, _ = paginate(ITEMS, 3, per_page=20)
                assert page == [40, 41, 42, 43, 44]

            def test_page_past_the_end_is_empty():
                assert paginate(ITEMS, 4, per_page=20)[0] == []

            def test_empty_list_has_one_empty_page():
                assert paginate([], 1) == ([], 1)

            @pytest.mark.parametrize("page,per_page", [(0, 20), (-1, 20), (1, 0)])
            def test_invalid_arguments_raise(page, per_page):
                with pytest.raises(ValueError):
                    paginate(ITEMS, page, per_page)
        ''',
        "calculate_total": r'''
            from decimal import Decimal
            import pytest
            from orders import calculate_total

            def order(*items, coupon=None):
                o = {"items": [{"price": p, "qty": q} for p, q in items]}
                if coupon is not None:
                    o["coupon"] = {"percent": coupon}
                return o

            def test_sums_items_and_adds_tax():
                assert calculate_total(order((10, 2), (5, 1))) == Decimal("27.00")   # 25 * 1.08

            def test_coupon_is_applied_before_tax():
                assert calculate_total(order((100, 1), coupon=10)) == Decimal("97.20")

            def test_no_float_drift():
                assert calculate_total(order((0.1, 3))) == Decimal("0.32")   # 0.30 * 1.08 = 0.324

            @pytest.mark.parametrize("bad", [-5, 101])
            def test_invalid_coupon_raises(bad):
                with pytest.raises(ValueError):
                    calculate_total(order((10, 1), coupon=bad))
        ''',
        "compute_shipping": r'''
            import pytest
            from orders import compute_shipping

            @pytest.mark.parametrize("weight,expected", [
                (0.5, 5.99),     # first US band
                (1.0, 9.99),     # the boundary belongs to the next band
                (4.9, 9.99),
                (7.0, 12.99),    # 9.99 + 2 kg * 1.5
            ])
            def test_us_rates(weight, expected):
                assert compute_shipping(weight, "US") == expected

            def test_unknown_country_uses_default_rate():
                assert compute_shipping(2, "NZ") == 32.99   # 24.99 + 2 kg * 4.0

            @pytest.mark.parametrize("weight", [0, -1])
            def test_rejects_non_positive_weight(weight):
                with pytest.raises(ValueError):
                    compute_shipping(weight, "US")
        ''',
    }[test_target]
    module = MODULE_HEADER + "\n\n\n" + "\n\n\n".join(textwrap.dedent(e[3]).strip("\n") for e in entries)
    turns.append((
        rng.choice(["Thanks! Could you put everything together into the complete cleaned-up module?",
                    "Can you give me the whole file rewritten with all your fixes applied?"]),
        T("""
            Here's the full module with every fix from the review applied. I grouped the imports at the top,
            replaced the hard-coded credentials with a small settings object, and made money a `Decimal`
            throughout:
            """) + "\n\n```python\n" + module + "\n```\n\n" + T("""
            A few notes on using it:

            - `MailSettings` should be filled from environment variables or your secrets manager at start-up,
              for example `MailSettings(host=os.environ["SMTP_HOST"], ...)`.
            - Call `logging.basicConfig(level=logging.INFO)` (or your framework's logging setup) once, in the
              entry point, not in this module.
            - The behaviour of `paginate` changed (pages now start at 1, and it returns the page count), so
              update its callers in the same pull request.
            """),
    ))

    code_block = "```python\n" + textwrap.dedent(tests).strip() + "\n```"
    turns.append((
        rng.choice([f"How would you write tests for `{test_target}`?",
                    f"Can you also give me some pytest tests for the new `{test_target}`?"]),
        T(f"""
            Here's a small pytest module for the rewritten `{test_target}`. The idea is to cover the normal
            case, the boundaries (where off-by-one bugs live), and the invalid inputs:
            """) + "\n\n" + code_block + "\n\n" + T("""
            Run it with `pytest -q`. When a test fails, pytest shows the values on both sides of the assert,
            so you rarely need print statements. Once these pass, add a test for every bug you fix from now
            on: it's the cheapest way to make sure it never comes back.
            """),
    ))
    return turns


# Stories in six parts. Each part is four paragraphs; {HERO}, {MENTOR}, {FRIEND} and {TOWN} are filled per
# conversation, so the same world reads as a different telling.
STORY_WORLDS = [
    {
        "premise": "a young apprentice lighthouse keeper on a foggy northern coast, where the lighthouse "
                   "guards a secret",
        "titles": ["The Lamp at World's Edge", "The Keeper of {TOWN} Light", "What the Fog Remembers"],
        "parts": [
            ("The Apprentice", [
                """
                In the fishing town of {TOWN}, where the fog came in every evening like a grey tide, there
                stood a lighthouse older than anyone's grandmother. Its keeper was {MENTOR}, a tall,
                silent woman with salt-white hair who climbed the hundred and twelve steps twice a day and
                spoke to almost no one. The town respected her the way it respected the sea: from a
                distance, and with a little fear. So when she walked into the harbour school one September
                morning and pointed at {HERO}, a thin, restless fourteen-year-old who was better at
                climbing masts than at sums, the whole room went quiet. "That one," she said. "I need an
                apprentice. The light is getting heavier."
                """,
                """
                {HERO}'s mother cried a little and then packed a bag. The lighthouse, it turned out, was not
                romantic. It was brass to be polished, wicks to be trimmed, glass to be cleaned until it
                squeaked, and a logbook in which every ship, every change of wind and every hour of fog had to
                be written in neat capital letters. {MENTOR} checked the logbook each night with a candle,
                running her finger along the lines, and when {HERO} wrote something careless she would simply
                close the book and wait until it was written again. There were no lectures. There was only
                the work, and the long evenings when the lamp turned and the beam swept the sea like a slow,
                patient hand.
                """,
                """
                There were also rules that made no sense. The lamp must never go out, not for a minute, not
                even when the weather was clear and the harbour empty. The small iron door at the bottom of
                the tower, the one with no handle, was never to be opened. And on nights when the fog was
                thickest, {HERO} was to ring the bronze bell three times at midnight, facing not the sea, but
                the land. "Why the land?" {HERO} asked once. {MENTOR} looked up from her mending for a long
                moment. "Because that is where the listening is," she said, and went back to her needle, and
                that was the end of the conversation.
                """,
                """
                Winter came early that year. The fishing boats stayed in, the nets hung frozen on the
                quay, and the fog grew so dense that from the gallery of the lighthouse {HERO} could not
                see the town at all, only the beam going out and out into nothing. One night, trimming the
                wick at two in the morning, {HERO} noticed something strange in the logbook. Every entry
                for the past forty years was written in {MENTOR}'s square hand, but the pages before that
                were written by someone else, and before that someone else again. And on the very first
                page, in faded brown ink, were the words: *The light is not for the ships.*
                """,
            ]),
            ("The Night the Light Went Out", [
                """
                It happened on the shortest day of the year. {MENTOR} had gone down to the town for lamp
                oil, leaving {HERO} alone for the first time with the strict instruction to let no one in
                and to keep the flame high. The afternoon passed quietly. At dusk the wind dropped, which
                on that coast was always a bad sign, and the fog rolled in so quickly that the gulls
                stopped crying mid-flight. {HERO} lit the lamp, wound the clockwork that turned the great
                lens, and settled down with the logbook. Outside, the world disappeared. Inside, the only
                sounds were the tick of the mechanism and the hiss of the flame.
                """,
                """
                At eleven, the ticking stopped. {HERO} ran up the stairs to find the lens motionless, its
                brass gears jammed by something that should not have been there: a small, smooth stone,
                black as wet slate, wedged neatly between two teeth as if placed by a careful hand. And as
                {HERO} pulled it free, the flame, which had burned steadily for as long as anyone
                remembered, shrank to a blue bead and went out. The darkness that followed was not
                ordinary darkness. It was thick and cold and full of a sound {HERO} had never heard
                before, a low humming from somewhere below, like a vast thing breathing in its sleep.
                """,
                """
                Hands shaking, {HERO} struck match after match. The wind, which had been still all
                evening, now came from nowhere and blew each one out. From the bottom of the tower came a
                new sound: a slow, heavy knock on the iron door with no handle. Once. Twice. {HERO}
                remembered the rule about the bell, grabbed the rope, turned to face the land, and rang it
                three times, so hard that the bronze sang in the dark. The knocking stopped. In the
                silence that followed, the last match caught, and the flame climbed back up the wick,
                yellow and ordinary, as if nothing had happened at all.
                """,
                """
                {MENTOR} came back at dawn, soaked and pale, and found {HERO} asleep on the gallery floor
                with the bell rope still wrapped around one wrist and the black stone clutched in the
                other hand. She took the stone, turned it over, and for the first time since {HERO} had
                known her, she looked afraid. "Who gave you this?" she whispered. "Nobody. It was in the
                gears." {MENTOR} sat down heavily on the top step. "Then it has started again," she said.
                "And I had hoped I would be gone before it did. I think it is time I told you what the
                light is for."
                """,
            ]),
            ("The Keeper's Story", [
                """
                Long ago, {MENTOR} said, before there was a town or a harbour, there was a city where the bay
                is now. Its people were clever and proud, and they built their towers too close to the water.
                One winter the sea rose in a single night and took it all. The city did not die, exactly. It
                sank, and it slept, and something of the people who had lived there stayed with it, angry at
                the land that had survived. The first keepers discovered that a light, kept burning without a
                break, reminded the drowned city of the sun it had lost, and soothed it, the way a lamp in the
                hallway soothes a child who is afraid of the dark.
                """,
                """
                "And the bell?" {HERO} asked. "The bell is a promise," said {MENTOR}. "Three rings mean:
                we remember you. We have not forgotten." The black stones, she explained, came up from the
                city when it began to stir, carried by the tides, sometimes by hands that were not quite
                hands. They were pieces of its streets. The last time they had appeared was fifty years
                ago, when {MENTOR} herself was an apprentice, and her own teacher had gone down into the
                sea cave beneath the tower to return them. He had come back, but he had never spoken much
                afterwards, and he had died the following spring.
                """,
                """
                {HERO} listened to all of it with a feeling that was half terror and half something else,
                something that felt almost like recognition. There had always been stories in {TOWN}: of
                bells heard under the water on calm nights, of fishermen who pulled up roof tiles in their
                nets, of a child who had wandered into the fog and come back speaking a language nobody
                knew. Everyone laughed at those stories in daylight. Nobody laughed at them in the fog.
                "Why didn't you tell me before?" {HERO} asked. "Because," said {MENTOR}, "most apprentices
                never need to know. I was hoping you would be one of them."
                """,
                """
                That evening {HERO} went down to the harbour to clear their head and found {FRIEND}, a
                fisherman's child with a crooked grin and a talent for trouble, mending a net by lantern
                light. They had been friends since they were small, racing each other along the sea wall.
                {HERO} had promised {MENTOR} to tell no one, and held out for almost four minutes. When
                the story was finished, {FRIEND} did not laugh. Instead they reached into a pocket and
                pulled out two black stones, smooth as wet slate. "Found these in the nets this week,"
                {FRIEND} said quietly. "My father's found more. He's been keeping them in a jar on the
                windowsill. He says they hum."
                """,
            ]),
            ("Into the Sea Cave", [
                """
                The stones were everywhere once they knew to look: in nets, on the beach after every tide,
                in the gutter outside the bakery. People in {TOWN} began to sleep badly. Dogs howled at
                the water. {MENTOR} decided the stones had to be returned before the new moon, when the
                tide would be lowest and the entrance to the sea cave beneath the lighthouse would open
                for one hour. But her knees were bad and her breathing was worse, and they both knew she
                could not make the climb. "Then I'll go," said {HERO}, before there was time to be afraid.
                "And I'm coming too," said {FRIEND}, who had been listening at the door.
                """,
                """
                They went down at midnight with a sack of black stones, two lanterns, a coil of rope, and
                the small bronze bell from the lighthouse gallery. The iron door with no handle opened
                from the inside with a key {MENTOR} wore around her neck, onto a staircase cut into the
                rock that spiralled down and down, wet and glittering. The humming grew louder as they
                descended, until they could feel it in their teeth. At the bottom, the cave opened into a
                vast chamber where the sea breathed in and out through a crack in the cliff, and by
                lantern light they saw the first of the drowned streets.
                """,
                """
                It was beautiful, and that was the worst part. Arches of pale stone rose out of the black
                water, draped in green weed like old curtains. Stairs climbed to doorways that opened onto
                nothing. On the walls were carvings of people with lamps in their hands, hundreds of them,
                all turned towards the same point: a great round window, high in the far wall, that once
                must have looked out at the sky. "They're waiting for the light," {FRIEND} whispered.
                "Like us. Like the lighthouse." Somewhere deeper in, something moved through the water,
                slow and enormous, and the lanterns flickered as if a door had opened.
                """,
                """
                They worked fast, placing the stones one by one into the gaps in the old pavement where
                they fitted perfectly, as if the street were a puzzle being put back together. With each
                stone the humming softened. With the last one, the water around their feet went suddenly
                still. Then the tide turned. They heard it before they saw it: a roar from the crack in
                the cliff, and the sea pouring in far faster than {MENTOR} had warned. {FRIEND} grabbed
                the rope. {HERO} grabbed the bell. And at the top of the stairs, impossibly far above
                them, the light of the lighthouse began to fade.
                """,
            ]),
            ("The Bell Under the Water", [
                """
                The water reached their knees, then their waists. The stairs were too far and too
                slippery, and the current pulled at them like hands. "The window!" {HERO} shouted,
                pointing at the round opening high in the wall, where a thin grey light was leaking in.
                "It must lead up to the cliffs!" They climbed the carved wall using the stone lamp-bearers
                as handholds, {FRIEND} first with the rope, {HERO} behind with the bell tied to their
                belt, while the sea filled the chamber beneath them and the drowned street disappeared
                again under the black water.
                """,
                """
                Halfway up, {HERO} looked down and saw them. Figures in the water, pale and slow, faces
                turned upward. Not monsters. Not quite people. They were holding up their empty hands, the
                way the carvings held up their lamps, as if asking for something. And {HERO} understood,
                suddenly and completely, what the first keepers had understood: the drowned city was not
                angry because it had been forgotten. It was afraid of the dark. It had been afraid for a
                thousand years, and every time the light faltered, it reached up towards the only warmth
                it knew.
                """,
                """
                Above them, the lighthouse lamp was still fading; {MENTOR} was alone, and the old wick
                could not be trimmed without a second pair of hands. {HERO} made a decision. Hanging from
                the carved wall by one arm, with the sea churning below, {HERO} untied the bronze bell,
                turned to face not the sea but the land, the way it had always been done, and rang it
                three times. The sound was enormous in the cave. It rolled across the water and up the
                stairs and through the rock of the cliff, and far above, in the lantern room, {MENTOR}
                heard it and knew what it meant.
                """,
                """
                What happened next, {HERO} would never be able to describe properly. The figures in the
                water grew still. The sea stopped rising, held for a long breath, and then began, slowly,
                to draw back. And light came down through the round window, not the grey light of dawn but
                a warm, golden light that could only be one thing: {MENTOR} had lit every lamp in the
                tower, the spare ones and the ancient ones that had not been used in a century, and turned
                the great lens down towards the sea instead of out across it. For the first time in a
                thousand years, the drowned city saw the sun.
                """,
            ]),
            ("The New Keeper", [
                """
                They climbed out through the round window onto the cliffs as the sun rose over {TOWN},
                wet, freezing, and laughing the helpless laughter of people who had expected to die. Below
                them the bay was perfectly calm. There were no more black stones on the beach that
                morning, or the next, or ever again. The fishermen said the catches were better that
                winter than they had been in living memory, and on calm nights, people swore they could
                hear something under the water that sounded almost like singing.
                """,
                """
                {MENTOR} did not climb the hundred and twelve steps again. She moved into a small cottage
                by the harbour, where she grew stubborn vegetables and taught the school children to tie
                knots, and she talked more in that first year than she had in the previous fifty.
                Sometimes, in the evenings, she would sit on her doorstep and watch the beam sweep across
                the water, and if {HERO} was late lighting it by even a minute, a note would arrive the
                next morning in square capital letters: *The light is getting heavier. Pick it up.*
                """,
                """
                {HERO} kept the light for many years after that, and {FRIEND} kept them company more often
                than not, bringing fish, gossip and terrible jokes up the spiral stairs. They changed some
                of the old rules. The lens now turned down towards the bay for one hour every night, at
                midnight, so the city beneath could see the light too. And the bell was rung three times
                facing the land and three times facing the sea, because {HERO} had learned that
                remembering has to go both ways.
                """,
                """
                On the first page of a new logbook, below {MENTOR}'s faded brown words, {HERO} wrote a
                line of their own, in neat capital letters, for whoever would come next: *The light is not
                for the ships. It is for everyone who is afraid of the dark, on both sides of the water.*
                Then {HERO} closed the book, trimmed the wick, wound the clockwork, and watched the beam
                go out into the fog, slow and patient, like a hand held out to someone who has been
                waiting a very long time.
                """,
            ]),
        ],
    },
    {
        "premise": "a communications engineer at a research station on an ice moon who receives a signal "
                   "that shouldn't exist",
        "titles": ["The Last Signal", "Echo from Tethys Deep", "Under the Ice of {TOWN}"],
        "parts": [
            ("The Quiet Station", [
                """
                {TOWN} Station sat on the ice of Europa like a handful of dice thrown onto a frozen lake:
                six white modules, a drill tower, and a radio mast pointed at a sky where Jupiter filled a
                quarter of the horizon. Fourteen people lived there, studying the ocean that lay twenty
                kilometres beneath their feet. {HERO}, the station's communications engineer, had the
                loneliest job of all. Every message to Earth took between thirty-five and fifty minutes to
                arrive, and the answers took just as long, so most of {HERO}'s work was listening: to
                Earth, to the relay satellites, and to the long, crackling silence in between.
                """,
                """
                The station's commander was {MENTOR}, a former submarine captain who ran {TOWN} with a
                quiet discipline everyone grumbled about and secretly appreciated. There were rules for
                everything: how long you could spend outside, how much water you could use, what to do if
                the ice shifted. There was also a rule about the lower radio bands, the ones nobody used.
                {HERO} had been told, on the first day, to filter them out. "Jupiter is loud," {MENTOR}
                had said. "Radiation belts, lightning, the magnetosphere. If you listen to all of it,
                you'll go mad." So {HERO} filtered them out, and for two years, that was that.
                """,
                """
                The station's days had a rhythm. Drill shifts, sample analysis, exercise in the cramped
                gym, dinner in the galley where the same fourteen faces argued about the same films.
                {HERO}'s closest friend on the station was {FRIEND}, a biologist with an enormous laugh
                who had spent eleven years waiting for the drill to reach liquid water and was now,
                finally, only a few hundred metres away. "When we break through," {FRIEND} liked to say,
                "I'm going to find something alive down there, and I'm going to name it after my
                grandmother, and she is going to be furious."
                """,
                """
                It was during a routine maintenance check, on a night when Jupiter was below the horizon
                and the sky was as quiet as it ever got, that {HERO} took the filters off the lower bands
                to test the antenna. For a moment there was only the expected roar. Then, beneath it,
                faint but perfectly clear, came a pattern: three short pulses, a pause, three long, a
                pause, three short. It repeated every forty seconds. It was coming from below. Not from
                the sky, and not from Jupiter. From under the ice.
                """,
            ]),
            ("Three Short, Three Long", [
                """
                {HERO}'s first thought was equipment failure. The second was that someone on the station
                was playing a joke. By three in the morning, after swapping cables, running every
                diagnostic in the manual and triangulating with the two spare receivers, {HERO} had ruled
                out both. The signal was real, it was regular, and it was coming from a point about
                eighteen kilometres straight down, at the boundary between the ice shell and the ocean.
                And the pattern, which every engineer in the solar system would recognise, was the oldest
                distress call humans had: S-O-S.
                """,
                """
                {MENTOR} listened to the recording twice in the cramped comms room, with the door closed,
                without saying a word. Then she asked the question {HERO} had been dreading. "Who else
                knows?" "Nobody. Just you." "Keep it that way until we know what it is." "It's a distress
                signal," said {HERO}. "Someone down there needs help." "Nobody is down there," said
                {MENTOR}. "Nobody has ever been down there. That's the point of this station." But there
                was something in her face, a flicker, that made {HERO} wonder whether that was entirely
                true.
                """,
                """
                The official logs said there had been only one previous mission to the ice of Europa: the
                robotic lander *Persephone*, forty years earlier, which had sent back three weeks of data
                before falling silent. The cause was listed as a power failure. {HERO} spent the next two
                nights reading everything in the station archive about *Persephone*, and found a strange
                gap: the last four days of its telemetry were missing, replaced by a single line of text.
                *Data withheld by order of the mission director.* The mission director's name was one
                {HERO} knew very well. It was {MENTOR}'s mother.
                """,
                """
                For a while {HERO} simply sat in the dark comms room and listened, the way you listen to
                a clock in an empty house. Forty seconds, pulse, pause, pulse. The timing never drifted, not
                by a millisecond, which ruled out anything that depended on tides or ice movement. It did not
                get louder or weaker. It did not change when the station's own transmitter was switched on or
                off. Whatever was producing it had power, and patience, and had apparently been doing this for
                a very long time, because when {HERO} searched the raw archives of the lower bands, the ones
                everyone filtered out, the same faint pattern was there in recordings from the station's first
                week, and in the calibration data from before the station was even built.
                """,
                """
                {HERO} told {FRIEND} at breakfast, in a whisper, over reconstituted eggs. {FRIEND} put down
                the fork very carefully. "A lander can't send an SOS," {FRIEND} said. "It's a robot. It would
                send a fault code." "I know." "So either someone built it to send one, or..." "Or something
                else is sending it." They sat in silence while the station hummed around them. Then {FRIEND}
                said, with a slow grin, "The drill is four hundred metres from the ocean. If we push the
                schedule, we could be through in three days." "{MENTOR} will never allow it." "Then," said
                {FRIEND}, "we'll have to ask her very nicely."
                """,
            ]),
            ("The Commander's Secret", [
                """
                They did not have to ask. That evening {MENTOR} called them both into her office and
                locked the door. On her desk was an old data tablet, the kind nobody had used in decades,
                and on its screen were the missing four days of *Persephone*'s telemetry. "My mother gave
                me this before she died," she said. "She told me never to make it public unless I was
                standing on the ice myself. I think she hoped I would come here one day. I think she hoped
                I would find out what it meant." She turned the tablet towards them.
                """,
                """
                The data showed *Persephone*'s final descent through a crack in the ice into the ocean
                below: temperature readings, pressure, sonar. And then, on the third day, an object in the
                sonar returns. Something large and regular, far too regular to be natural, resting on a
                ledge where the ice met the water. *Persephone* had approached it. Its cameras had
                recorded forty seconds of murky footage: a curved wall, smooth and grey, with markings on
                it that looked almost like writing. Then the lander's lights had gone out, and the data
                ended.
                """,
                """
                "My mother's team spent years arguing about it," said {MENTOR}. "Half of them thought it
                was an instrument error. The other half thought it was the most important discovery in
                human history. The agency decided that without more evidence, announcing it would cause
                chaos, so they buried it, and they cancelled the follow-up missions, and they built this
                station thirty kilometres away from the crack, studying bacteria, waiting." She looked at
                {HERO}. "And now, forty years later, something down there has learned to say SOS."
                """,
                """
                "Learned from whom?" asked {FRIEND}. {MENTOR} pointed at the last frame of the footage,
                frozen on the screen. Among the markings on the grey wall, half hidden by drifting
                particles, was a simple shape: three dots, three dashes, three dots. "From *Persephone*,"
                she said. "The lander's emergency beacon used Morse. My mother thought whatever is down
                there listened to it for three days before the lander died. It remembered." She stood up.
                "Push the drill schedule. We go down in three days. And I'm coming with you."
                """,
            ]),
            ("Breaking Through", [
                """
                The last four hundred metres were the hardest. The ice grew warmer and softer, the drill
                head jammed twice, and on the second day a tremor ran through the shell that knocked
                everyone in the galley off their chairs. The rest of the crew had been told only that the
                schedule had changed. Some suspected more, and the station filled with a nervous, electric
                kind of quiet. Through it all, the signal continued every forty seconds, steady as a
                heartbeat, and {HERO} listened to it through headphones at night, unable to sleep,
                wondering who or what was waiting at the other end.
                """,
                """
                On the morning of the third day, the drill broke through. Water rushed up the borehole,
                was caught by the pressure valves, and for the first time in history, human instruments
                touched the ocean of Europa. {FRIEND} cried openly. Within an hour the first water samples
                were under the microscope, and within two, {FRIEND} was shouting: tiny, pale, spiralling
                cells, unlike anything on Earth. Life. They had found life. Any other day, it would have
                been the greatest moment of their careers. Today, it was only the beginning.
                """,
                """
                The descent vehicle was a cramped, three-person submersible designed for short sampling
                dives. {MENTOR} piloted, {HERO} handled communications and sonar, and {FRIEND} sat in the
                back with the sample arm and a camera. They went down the borehole in a slow spiral, the
                ice walls gleaming blue in their lights, until the walls fell away and they were floating
                in black water so clear and so dark it felt like flying through space. The radio link to
                the station crackled, thinned, and held. On the sonar, eighteen kilometres away along the
                underside of the ice, the source of the signal glowed like a beacon.
                """,
                """
                Back on the station, the rest of the crew crowded into the galley to watch the live feed
                from the submersible's cameras, relayed up the borehole cable. Nobody had officially told
                them what the dive was for, but nobody needed to anymore. The cook had stopped cooking.
                The two drill technicians, who had not spoken to each other in a month after an argument
                about music, sat shoulder to shoulder in front of the screen. Someone had written WE HEAR
                YOU? on the whiteboard with a question mark, then rubbed out the question mark, then
                written it again. When the sonar image of the signal's source first appeared, blurry and
                green, the whole room went so quiet that the hum of the air recyclers sounded like a
                storm.
                """,
                """
                It took them four hours to cross the distance, following the ceiling of ice. Along the way
                the water came alive: clouds of the spiral cells glittering in the lights, then
                thread-like drifting creatures as long as an arm, pulsing with faint blue light, which
                gathered around the submersible and followed it like curious fish. "They're following the
                signal too," {FRIEND} whispered, pressing her face against the viewport. And then the
                sonar chimed, and the lights picked out a curved grey wall rising out of the darkness,
                covered in markings, enormous, and exactly as *Persephone* had seen it forty years before.
                """,
            ]),
            ("The Grey Wall", [
                """
                Up close, the wall was not a wall. It was the side of something vast and round, half
                buried in the ice above, half hanging into the ocean below, like a seed caught in the roof
                of the world. Its surface was smooth and slightly warm; the water around it was two
                degrees warmer than anywhere else they had measured. And the markings were not writing in
                any human sense. They were patterns of tiny raised dots and lines, millions of them,
                arranged in spirals that seemed to shift slightly when you looked away. {HERO} stared at
                them and felt, absurdly, that they were staring back.
                """,
                """
                They found *Persephone* on a ledge at the base of the object, exactly where the old data
                said it would be, tangled in the pale threads of the drifting creatures as if they had
                been tending it. Its beacon light had long since died. But when {HERO} pointed the
                submersible's receiver at the grey surface, the SOS rang out so loudly that everyone
                flinched. It wasn't coming from the lander. It was coming from the object itself. "It's
                copying the beacon," {HERO} said slowly. "It's been copying it for forty years. It thinks
                that's how we talk."
                """,
                """
                "Then let's talk back," said {MENTOR}. {HERO} hesitated, then keyed the transmitter and
                sent the only reply that made sense: the Morse for *we hear you*. For a long moment
                nothing happened. Then the SOS stopped. The spirals on the grey surface began to move,
                slowly at first, then faster, rippling outward from the point nearest the submersible, and
                the creatures in the water around them lit up all at once, a great blue wave of light
                spreading through the dark ocean in every direction, as far as their lights could reach.
                """,
                """
                And a new signal came. Not Morse this time, but a stream of data so dense that {HERO}'s
                equipment struggled to record it. Images formed on the screen, crude at first and then
                sharper: a star, not the Sun; a world of ice and ocean orbiting a giant planet, not
                Jupiter; a great grey seed falling through space for longer than there had been life on
                Earth. Then, last of all, an image {HERO} recognised immediately: *Persephone*, drawn from
                the outside, with three dots, three dashes, three dots above it. And next to it,
                carefully, clumsily, a small round shape with three figures inside it. Their submersible.
                Them.
                """,
            ]),
            ("What We Tell Earth", [
                """
                They stayed at the grey wall for six hours, longer than the submersible's rules allowed,
                while {HERO} recorded everything and {FRIEND} gathered samples with trembling hands and
                {MENTOR} said almost nothing, watching the spirals move. When they finally turned back,
                the blue creatures escorted them all the way to the borehole, and the signal that followed
                them up through the ice was no longer SOS. It was a simple pattern of pulses that {HERO}
                eventually decoded as a greeting, learned, like everything else, from forty years of
                listening to a dying robot.
                """,
                """
                The hardest part came afterwards. The message to Earth would take forty minutes to arrive,
                and it would change everything: the first alien life, microscopic and otherwise, and the
                first evidence that someone, somewhere, had sent a seed across the stars long before
                humans existed. {MENTOR} sat in the comms room with {HERO} and {FRIEND} for a long time
                before writing a single word. "My mother buried this because she was afraid of what people
                would do," she said. "She may have been right. But I'm not going to bury it again."
                """,
                """
                They wrote the message together, and they kept it simple. What they had found, where, and
                how. The data, all of it, including the missing four days of *Persephone*. And a last
                paragraph that {HERO} insisted on, arguing with {MENTOR} for an hour before she agreed: a
                request that no one touch the object, or try to take samples from it, or move it, until it
                could be understood, and that the first people to come after them should come to listen,
                not to dig.
                """,
                """
                {HERO} sent the message at 04:12 station time. Then there was nothing to do but wait. The
                three of them sat in the comms room drinking bad coffee while Jupiter rose over the ice,
                huge and striped and indifferent, and the radio hissed softly with the sound of the solar
                system. Beneath them, eighteen kilometres down, something that had waited longer than
                human history was listening too. Forty minutes later, right on time, the message arrived
                on Earth. And for the first time in two years, {HERO} turned the lower bands all the way
                up, and simply listened.
                """,
            ]),
        ],
    },
]

STORY_CAST = [
    {"HERO": "Maren", "MENTOR": "Agnes Holt", "FRIEND": "Tobiah", "TOWN": "Skerrow"},
    {"HERO": "Ellis", "MENTOR": "Ingrid Vale", "FRIEND": "Nell", "TOWN": "Carrick Bay"},
    {"HERO": "Dr. Samira Okoye", "MENTOR": "Commander Ilse Brandt", "FRIEND": "Dr. Yuki Tanaka",
     "TOWN": "Tethys Deep"},
    {"HERO": "Jonah Reyes", "MENTOR": "Commander Mara "
                                      "Lindqvist", "FRIEND": "Dr. Priya Anand", "TOWN": "Kepler"},
]

STORY_FIRST = [
    "Write me a long story in several parts about {premise}. Make each part fairly long. Start with part 1.",
    "I want a long serialized story, about 6 parts, about {premise}. Give me the first part now and wait "
    "for me "
    "to ask for the next one.",
    "Let's write a novella together. The premise: {premise}. Please write part one (of six), with rich "
    "descriptions.",
]
STORY_NEXT = [
    "Continue with part {n}.", "Great, next part please!", "Part {n} please", "I love it. Keep going.",
    "This is getting good, continue", "Next part. Make it a bit more tense.", "ok go on",
    "Wow. Part {n}?", "continue the story",
]
STORY_END = [
    "Thank you, that was a wonderful ending. Can you suggest a title for the whole story?",
    "Loved it! What title would you give the whole thing?",
]


def build_story(rng: random.Random, world_index: int, cast: dict) -> list[tuple[str, str]]:
    world, extra = STORY_WORLDS[world_index], STORY_EXTRAS[world_index]

    def fill(text: str) -> str:
        for key, value in cast.items():
            text = text.replace("{" + key + "}", value)
        return text

    turns = []
    parts = world["parts"]
    sheet_after = rng.choice([2, 3])
    for n, (title, paragraphs) in enumerate(parts, start=1):
        body = "\n\n".join(fill(T(p)) for p in paragraphs)
        tail = (f"\n\n*(End of part {n}. Let me know when you'd like part {n + 1}.)*" if n < len(parts)
                else "\n\n*The end.*")
        text = f"**Part {n}: {title}**\n\n{body}{tail}"
        if n == 1:
            first = STORY_FIRST[STORY_CAST.index(cast) % len(STORY_FIRST)]
            user = first.replace("{premise}", world["premise"]) + "\n\n" + T(extra["brief"])
        else:
            user = rng.choice(STORY_NEXT).replace("{n}", str(n))
        turns.append((user, text))
        if n == sheet_after:
            turns.append((extra["sheet_q"], fill(T(extra["sheet"]))))
    turns.append((rng.choice(STORY_END), fill(T(extra["title"]))))
    return turns


STORY_EXTRAS = [
    {
        "brief": """
            Some details: I'd like it to feel like a folk tale but with real suspense, a bit like old ghost
            stories told by the fire. The main character is a teenager who becomes the apprentice of a stern
            old keeper, and there should be a loyal best friend. No romance please, and keep it suitable for
            a twelve-year-old reader, but not childish. I like stories where the monster turns out to be
            something more sad than scary.
            """,
        "sheet_q": "Before you continue, can you describe the three main characters in more detail?",
        "sheet": """
            Of course! Here's how I picture them:

            **{HERO}** is fourteen, wiry and restless, with wind-chapped hands and a habit of climbing things
            they shouldn't. They've never been good at school because they can't sit still, but they notice
            everything: the colour of the water before a storm, the way a rope frays. Underneath the
            restlessness is a deep need to be trusted with something important.

            **{MENTOR}** is in her seventies, tall and straight-backed, with salt-white hair cut short with
            kitchen scissors. She has kept the light for fifty years, and the silence of the tower has become
            part of her. She isn't unkind, just out of practice at talking. She's carrying a fear she has
            never told anyone about, and a guilt about the teacher who went into the sea cave before her.

            **{FRIEND}** is a fisherman's child, quick-tongued and funny, with a crooked grin and a talent for
            getting into trouble and out of it again. Where {HERO} is intense, {FRIEND} makes jokes, but
            they're braver than they look, and fiercely loyal.
            """,
        "title": """
            Here are a few options:

            1. **The Lamp at World's Edge**: my favourite; it has the folk-tale feeling you asked for.
            2. **The Light Is Not for the Ships**: taken from the line in the logbook, it hints at the secret.
            3. **The Keeper of {TOWN} Light**: simple and classic.
            4. **Three Rings for the Drowned**: a bit more mysterious.

            If it were a book for younger readers, I'd choose the first one; if you want it to sound eerier,
            the second.
            """,
    },
    {
        "brief": """
            I'm a big fan of hard science fiction, so please keep the science plausible: real distances,
            real delays in communication, no faster-than-light travel. I'd like a small cast, a mystery that
            unfolds slowly, and an ending that's hopeful rather than a big space battle. Think of the feeling
            of films like *Arrival* or *Contact*.
            """,
        "sheet_q": "Quick pause: tell me more about the characters before the next part. Who are they?",
        "sheet": """
            Happy to! Here's how I imagine the crew members at the centre of the story:

            **{HERO}** is the station's communications engineer, in their mid-thirties, methodical and a
            little solitary. They took the Europa posting partly to get away from a noisy life on Earth, and
            they're most comfortable with headphones on, listening. Their strength is patience: they'll check
            a result a hundred times before believing it, which is why, when they do believe something,
            others listen.

            **{MENTOR}** commands the station. A former submarine captain in her fifties, she is calm,
            precise, and hard to read. She has spent her whole career quietly following a trail her mother
            left behind, and she's torn between loyalty to her mother's secrecy and her own sense that the
            truth belongs to everyone.

            **{FRIEND}** is the station's biologist: warm, loud, and relentlessly optimistic after eleven
            years of waiting for the drill to reach the ocean. She's the emotional heart of the crew, the one
            who turns a discovery into a celebration, and she's the first to say out loud what the others are
            only thinking.
            """,
        "title": """
            A few possibilities:

            1. **The Last Signal**: clean and classic, and it works on two levels, since the SOS turns out to
               be the beginning of a conversation rather than the end of one.
            2. **We Hear You**: the reply {HERO} sends; I like how quiet and human it is.
            3. **Echo from {TOWN}**: emphasises how the object learned to speak by copying the lander.
            4. **Forty Minutes**: the delay between Europa and Earth, and the final wait in the last scene.

            My pick would be **We Hear You**: it captures the hopeful, *Arrival*-like tone you asked for.
            """,
    },
]


# Long documents to summarise. Each section: (heading, text, key point for the summary or ""). Numbers are
# slots filled per conversation, so the summary always agrees with the document.
TRANSIT_SECTIONS = [
    ("Message from the Chief Executive", """
        This year marked a turning point for the {CITY} Regional Transit Authority. After several difficult
        years, ridership has returned to {RECOVERY}% of its pre-pandemic level, our first fully electric bus
        depot opened on schedule, and customer satisfaction reached its highest score since we began
        measuring it. None of this would have been possible without the dedication of our {STAFF} employees,
        who kept the network running through a harsh winter and a summer of record heat. At the same time,
        we face real challenges: operating costs continue to rise faster than fare revenue, and our ageing
        rail signalling system needs urgent investment. This report sets out what we achieved, where we fell
        short, and what we plan to do next.
        """, "Ridership recovered to {RECOVERY}% of pre-pandemic levels, but costs are rising faster than "
             "fare "
             "revenue."),
    ("Ridership", """
        Total boardings across all modes reached {RIDERS} million, an increase of {GROWTH}% on the previous
        year. Growth was strongest on the rail network and on the twelve frequent bus routes introduced in
        the network redesign, which now carry almost half of all bus passengers. Weekend ridership grew
        faster than weekday ridership, reflecting changing travel patterns as more people work from home on
        some days of the week. Peak-hour crowding has returned on the two busiest rail lines, where trains
        in the morning peak now regularly exceed their planning capacity. Ridership among passengers aged
        over 65 remains below pre-pandemic levels, and we will investigate the reasons in a dedicated survey
        next year.
        """, "Total boardings: {RIDERS} million (+{GROWTH}%), driven by rail and the new frequent bus "
             "routes."),
    ("The Network Redesign", """
        The bus network redesign, launched in March, replaced a tangle of infrequent, overlapping routes with
        a simpler grid of frequent lines running every ten minutes or better from 6 a.m. to 9 p.m. The change
        was controversial at first: some passengers lost a direct connection and now need to transfer. To
        address this, we made all transfers free within 90 minutes and adjusted six routes after public
        feedback in the first two months. Early results are encouraging. Passengers within walking distance
        of a frequent route increased from 41% to 63% of the population, and average journey times on
        redesigned corridors fell by about seven minutes.
        """, "The bus network redesign put 63% of residents within walking distance of a frequent route."),
    ("Reliability and Punctuality", """
        On-time performance for buses averaged {ONTIME}% across the year, measured as departures no more
        than one minute early or five minutes late. Reliability dropped sharply in January and February,
        when heavy snowfall and a shortage of qualified mechanics took up to 15% of the fleet out of
        service on some days. Rail punctuality was {RAILONTIME}%, affected mainly by signalling faults on
        the North Line, which accounted for more than a third of all rail delay minutes. The new bus lanes
        on Harbour Road and Station Avenue reduced average delays on those corridors by more than half,
        supporting our case for further bus priority measures.
        """, "On-time performance was {ONTIME}% for buses and {RAILONTIME}% for rail; signalling faults on "
             "the "
             "North Line are the main rail problem."),
    ("Rail Operations", """
        The rail network carried the largest share of our growth. Frequencies on the East Line were
        increased to every six minutes in the peak, and four refurbished trains entered service in the
        autumn, adding about 1,200 seats per hour in each direction. The North Line's signalling system,
        installed in the early 1980s, continues to be the single greatest threat to reliability. Spare parts
        are no longer manufactured, and several components have had to be custom-made. The board approved
        the business case for a full replacement with a modern communications-based system, subject to
        securing funding, which is discussed under capital projects.
        """, "The North Line's 40-year-old signalling system needs full replacement; the business case is "
             "approved, funding is not yet secured."),
    ("Accessibility", """
        All buses in the fleet are now low-floor and equipped with ramps, audio and visual stop
        announcements. Step-free access was completed at three more rail stations, bringing the total to
        {STEPFREE} of 38 stations. Lift availability averaged 97.2%, but several long outages at Central
        Station caused understandable frustration, and we have changed our maintenance contract to require
        repairs within 24 hours. Our on-demand accessible transport service completed more than 210,000 trips.
        We also trained all frontline staff in supporting passengers with hidden disabilities, and introduced
        a sunflower lanyard scheme so that passengers can discreetly signal that they may need extra help.
        """, "{STEPFREE} of 38 rail stations are now step-free; lift outages at Central Station led to a "
             "stricter maintenance contract."),
    ("Fares and Ticketing", """
        Fares rose by an average of {FAREUP}% in January, below the rate of inflation. Contactless payment
        with bank cards and phones was extended to all buses and is now used for more than 60% of journeys.
        Daily and weekly fare capping means that no passenger paying by contactless pays more than the price
        of a day or week pass, however many journeys they make. The reduced fare programme for people on low
        incomes grew to more than 48,000 registered members. Paper tickets will be phased out gradually
        over the next two years, with cash still accepted on buses for those who need it.
        """, "Fares rose {FAREUP}% (below inflation); contactless now covers over 60% of journeys, with "
             "daily "
             "and weekly fare caps."),
    ("Safety and Security", """
        The safety of passengers and staff remains our highest priority. Recorded assaults on staff fell by
        {ASSAULTS}% following the introduction of body-worn cameras and a dedicated transit safety team
        working with the police. Passenger injuries per million journeys were at the lowest level on record.
        However, passenger surveys show that perceptions of safety at night, particularly at some isolated
        bus stops and at three rail stations, remain a concern, especially among women. We will invest in
        better lighting, help points and staffing at these locations, and we will publish a women's safety
        action plan developed with community organisations.
        """, "Assaults on staff fell {ASSAULTS}%, but perceived safety at night remains a concern, "
             "especially "
             "for women."),
    ("Financial Performance", """
        Total operating revenue was {REVENUE} million, of which fares contributed {FARESHARE}%; the rest
        came from regional and national government grants, advertising and property income. Operating
        costs were {COSTS} million, an increase of {COSTUP}% driven mainly by wages, energy and vehicle
        parts. The resulting gap was covered by a one-off recovery grant, which will not be repeated. Without
        new sources of funding or savings, we project an annual operating deficit of around {DEFICIT}
        million from next year. The board has asked management to prepare options, including efficiency
        savings, new revenue sources and a longer-term funding agreement with the regional government.
        """, "Revenue was {REVENUE} million against costs of {COSTS} million; a one-off grant covered the "
             "gap, and "
             "a deficit of about {DEFICIT} million is projected from next year."),
    ("Capital Projects", """
        Capital spending totalled {CAPEX} million. The largest projects were the new electric bus depot in
        Millfield, the refurbishment of four trains, and accessibility upgrades at rail stations. The
        Harbour Road bus priority scheme was completed on time and under budget. The North Line signalling
        replacement, estimated at {SIGNALLING} million over six years, remains unfunded; we have applied to
        the national infrastructure fund and expect a decision next spring. The planned extension of the
        East Line to the airport has been paused while we review the business case in light of changed
        travel patterns.
        """, "Capital spending was {CAPEX} million; the {SIGNALLING} million signalling replacement awaits a "
             "funding decision, and the airport extension is paused."),
    ("Fleet Electrification", """
        The Millfield depot, our first designed entirely for electric buses, opened in September with
        charging for 120 vehicles. Electric buses now make up {EBUS}% of the fleet. In their first full
        winter, they met their range targets on all but the longest routes, where we are testing
        opportunity charging at terminals. Energy costs per kilometre for electric buses were about 40%
        lower than for diesel buses, although higher purchase prices mean the full financial benefit will
        come over the vehicles' lifetime. Our target remains a fully zero-emission bus fleet by 2035, and
        we will stop buying diesel buses from next year.
        """, "Electric buses are {EBUS}% of the fleet; no more diesel purchases from next year, "
             "zero-emission "
             "fleet targeted for 2035."),
    ("Environmental Performance", """
        Greenhouse gas emissions from our operations fell by {CO2}% compared with the previous year, thanks
        to electric buses and a renewable electricity contract for the rail network. Each passenger
        kilometre on our services now produces roughly a fifth of the emissions of the same trip by car.
        We planted more than 2,000 trees at depots and along bus corridors and replaced lighting at all
        stations with LEDs. Our biggest remaining sources of emissions are the diesel bus fleet and the
        heating of older buildings, both addressed in our climate plan.
        """, "Operational emissions fell {CO2}%; the remaining diesel buses and old buildings are the "
             "biggest "
             "sources."),
    ("Our People", """
        We employ {STAFF} people, including more than 1,900 bus operators and 400 maintenance staff.
        Recruiting and keeping mechanics and drivers was a major challenge in the first half of the year.
        A new apprenticeship programme, a revised pay agreement reached with the unions without industrial
        action, and a paid training scheme for new drivers reduced vacancies from 9% to 3%. Staff turnover
        fell to 11%. Women now make up 24% of bus operators, up from 19% three years ago, and we have set
        a target of 30% by 2028. The staff survey showed improved scores for wellbeing and communication,
        but lower scores for workload in maintenance teams.
        """, "Driver and mechanic vacancies fell from 9% to 3% after a new pay agreement and "
             "apprenticeships."),
    ("Customer Satisfaction", """
        Our annual customer survey of more than 6,000 passengers gave an overall satisfaction score of
        {SATISFACTION} out of 10, the highest since the survey began. Passengers rated frequency, cleanliness
        and staff helpfulness most highly. The lowest scores were for real-time information during
        disruptions, value for money, and the condition of bus shelters. Complaints fell by 14%, and the
        average time to respond to a complaint was reduced from eleven days to four. Customer feedback
        directly led to route changes in the redesign, to new seating at eleven interchanges, and to changes
        in how we communicate planned engineering works.
        """, "Customer satisfaction reached {SATISFACTION}/10, a record; real-time information during "
             "disruption "
             "scored lowest."),
    ("Digital Services", """
        The new journey-planning app was downloaded more than 350,000 times. It shows real-time vehicle
        locations, crowding levels on the busiest routes and step-free routes for passengers who need them.
        We opened our timetable and real-time data to third-party developers, and it is now used by all the
        major mapping apps. The weakest point remains information during disruption: automated alerts were
        sometimes late or contradictory, particularly during the snowstorms in January. A new disruption
        management system, which will connect control rooms, station screens and the app, will be introduced
        next year.
        """, "The new app passed 350,000 downloads; a new disruption management system is coming next year."),
    ("Community and Partnerships", """
        We worked with the city councils in the region on bus lanes, safer walking and cycling routes to
        stations, and new park-and-ride sites. A pilot with the university provided unlimited travel for
        students for a fixed fee included in their enrolment, and student ridership on the affected routes
        rose by 38%. A similar scheme with three large employers is now under discussion. We also supported
        community events with additional late-night services, including the summer festival, when we
        carried more than 90,000 extra passengers over a single weekend.
        """, "A university travel pass pilot raised student ridership by 38%; employer schemes are being "
             "discussed."),
    ("Looking Ahead", """
        Our priorities for the coming year are clear. First, to secure funding for the North Line
        signalling replacement, which is essential for rail reliability. Second, to agree a long-term
        operating funding settlement that closes the projected deficit without cutting services. Third, to
        improve information during disruptions. Fourth, to continue the transition to a zero-emission fleet.
        And fifth, to address safety concerns at night. We will also begin public consultation on a second
        phase of the bus network redesign, focusing on the outer suburbs, where frequencies are still too low
        for many residents to rely on public transport.
        """, "Next year's priorities: signalling funding, a long-term operating settlement, better "
             "disruption "
             "information, electrification and night-time safety."),
    ("Principal Risks", """
        The board has identified five principal risks. Funding risk: the projected operating deficit, if not
        addressed, would force service reductions. Asset risk: failure of the North Line signalling system
        could cause prolonged closures. Workforce risk: shortages of skilled mechanics could return if the
        labour market tightens. Energy price risk: although our electricity is partly fixed under long-term
        contracts, prices remain volatile. Climate risk: extreme heat and flooding are already affecting
        tracks, depots and passengers, and adaptation will require investment. Each risk has an owner at
        executive level and is reviewed by the audit committee every quarter.
        """, ""),
    ("Governance", """
        The Authority is governed by a board of eleven members: five appointed by the regional government,
        four by the constituent city councils, and two independent members with expertise in finance and
        engineering. The board met nine times during the year, and its committees for audit, safety and
        capital programmes met quarterly. Attendance averaged 92%. Board papers and minutes are published on
        our website, and members of the public may ask questions at the start of each public board meeting.
        The annual accounts were audited by the regional audit office, which issued an unqualified opinion.
        """, ""),
    ("Bus Shelters and Stops", """
        We are responsible for more than 3,400 bus stops, of which around 1,300 have shelters. Passenger
        feedback about the condition of shelters has been consistently poor, with broken glass, missing
        seats and out-of-date timetables the most common complaints. This year we began a three-year
        programme to replace the 400 shelters in the worst condition, starting with the busiest stops, and
        fitted real-time displays at a further 150 stops. A new cleaning contract introduced weekly
        inspections and a 48-hour repair target for damage. Solar-powered lighting is being trialled at
        stops without an electricity connection.
        """, ""),
    ("Park and Ride", """
        The three park-and-ride sites on the edge of the city recorded average weekday occupancy of 71%, up
        from 58% last year. The newest site, at Westgate, filled more slowly than expected because the bus
        connection to the city centre ran only every twenty minutes; since increasing the frequency to
        every ten minutes in September, use has grown steadily. We are exploring adding electric vehicle
        charging points and secure cycle storage at all sites, and working with the councils on a possible
        fourth site to the south of the city.
        """, ""),
    ("Night Services", """
        Night bus services run on eight routes on Friday and Saturday nights and on three routes every night
        of the week. Night ridership grew by 22%, with particularly strong demand from hospitality and
        healthcare workers finishing late shifts. A trial of night rail services on the East Line during the
        summer was popular but expensive to operate because of the overnight maintenance windows it
        disrupted. We will report on the trial's findings to the board in the spring, together with options
        for expanding the night bus network in a way the budget can sustain.
        """, ""),
    ("Freight and Shared Corridors", """
        Parts of our rail network are shared with freight operators, whose trains run mainly overnight. This
        year we agreed a new access arrangement that reserves two paths per hour for freight during the day
        on the South Line, in return for contributions to track maintenance. The arrangement reduces lorry
        traffic on the region's roads but requires careful timetabling to protect passenger punctuality. So
        far, freight-related delays have been minimal, accounting for less than 2% of delay minutes.
        """, ""),
    ("Procurement and Suppliers", """
        We spent around {SUPPLIERS} million with external suppliers, of which 38% went to businesses based in
        the region. Supply chain disruption affected deliveries of vehicle parts for much of the year, with
        lead times for some components doubling. To reduce this risk we increased stocks of critical spares,
        qualified additional suppliers, and started refurbishing some components in-house. Our new
        procurement policy gives greater weight to whole-life costs and environmental performance, not just
        purchase price, and requires major suppliers to publish climate targets.
        """, ""),
    ("Cycling and Walking Integration", """
        Almost every public transport journey begins and ends on foot or by bicycle, so the quality of the
        streets around stations matters. This year we installed 600 new secure cycle parking spaces at
        stations, began allowing folding bicycles on all services at all times and full-size bicycles on
        trains outside peak hours, and worked with councils to improve crossings and footpaths near 25 bus
        interchanges. The bike-share scheme operated by the city now has docks at 19 of our stations, and
        about one in eight bike-share trips begins or ends at a station.
        """, ""),
    ("Heat and Flooding", """
        Extreme weather is no longer an occasional event. During the July heatwave, track temperatures on
        parts of the rail network exceeded 50 °C, and speed restrictions were imposed for nine days to reduce
        the risk of rails buckling. Several bus depots and one rail station were affected by flash flooding
        in October. We have completed a climate risk assessment of all major assets, which identifies 14
        locations at high risk of flooding, and we are including adaptation measures, such as better drainage,
        heat-resistant rail fastenings and shaded waiting areas, in future capital plans.
        """, ""),
    ("Data and Privacy", """
        Contactless payments and the journey-planning app generate valuable data about how people travel.
        We use this data in aggregated, anonymised form to plan services, and we have published a plain
        language privacy notice explaining what we collect and why. Card numbers are never stored by us in
        readable form. This year we completed an independent review of our data protection practices, which
        found no significant issues and made six recommendations for improvement, all of which have been
        accepted. No reportable data breaches occurred during the year.
        """, ""),
    ("Acknowledgements", """
        We would like to thank our passengers for their patience during the network redesign and the
        disruptions of the winter, our staff for their commitment in difficult conditions, our trade union
        partners for constructive negotiations, and the regional government and city councils for their
        continued support. We are also grateful to the members of our passenger advisory panel and
        accessibility forum, whose detailed feedback improved many of the changes described in this report.
        """, ""),
]

POLICY_SECTIONS = [
    ("1. Purpose", """
        This policy sets out how employees of {COMPANY} may work remotely, what the company provides to
        support them, and what is expected in return. Our aim is to give people flexibility over where they
        work while protecting collaboration, security, wellbeing and fairness across teams. The policy
        replaces the temporary guidance issued in previous years and applies from {START}. Where this policy
        conflicts with a local employment law or collective agreement, the local law or agreement takes
        precedence, and the People team will publish country-specific annexes where needed.
        """, "The policy replaces earlier temporary guidance and applies from {START}; local law takes "
             "precedence where it differs."),
    ("2. Scope and Eligibility", """
        The policy applies to all permanent and fixed-term employees who have completed their probation
        period, usually three months. Contractors and interns are covered by their own agreements. Some roles
        cannot be performed remotely, such as laboratory, warehouse and reception roles; for these, managers
        will look for other forms of flexibility, such as adjusted hours or compressed weeks. Eligibility
        depends on the role, not the person, and the reasons for any decision that a role is not eligible
        must be given in writing.
        """, "Eligible after probation (usually three months); on-site roles get other kinds of flexibility "
             "instead."),
    ("3. Working Patterns", """
        Eligible employees may work remotely for up to {REMOTE_DAYS} days per week, in agreement with their
        manager. Each team sets one or two shared "anchor days" when everyone is expected in the office,
        for planning, workshops and social time. Fully remote arrangements are possible for roles that have
        been approved as fully remote, or as a reasonable adjustment. Patterns should be agreed in advance and
        recorded in the HR system, and they can be reviewed by either side with four weeks' notice.
        """, "Up to {REMOTE_DAYS} remote days per week, with one or two team \"anchor days\" in the office."),
    ("4. Core Hours", """
        To make collaboration across time zones possible, all employees are expected to be available between
        {CORE_START} and {CORE_END} local time on working days, unless they are on leave or have agreed
        otherwise with their manager. Outside core hours, employees can organise their working time flexibly,
        within the limits of their contract and working time regulations. Meetings should be scheduled
        within core hours wherever possible, and no one is expected to reply to messages outside their own
        working hours.
        """, "Core hours are {CORE_START}–{CORE_END}; nobody is expected to answer messages outside their "
             "own "
             "working hours."),
    ("5. Work Location", """
        Remote work normally means working from your home address registered in the HR system. Working from
        another location in the same country, such as a second home or a co-working space, is allowed if it
        meets the security and health and safety requirements in this policy. Working from another country is
        covered by section 6, because it can create tax, social security and immigration obligations for both
        the employee and the company. Employees must not work from public places where confidential
        conversations or screens could easily be overheard or seen.
        """, ""),
    ("6. Working from Abroad", """
        Employees may work from another country for up to {ABROAD_DAYS} working days in any twelve-month
        period, provided the request is approved in advance through the travel and mobility tool. Approval
        normally takes five working days. Some countries are excluded for legal or security reasons; the list
        is maintained by the Legal team. Working abroad without approval may create serious tax and legal
        problems and can lead to disciplinary action. Longer periods abroad require a formal assessment and
        may require a change to the employment contract.
        """, "Working abroad is allowed for up to {ABROAD_DAYS} working days a year, but only with advance "
             "approval."),
    ("7. Equipment", """
        The company provides a laptop, a headset and, on request, a monitor, keyboard and mouse for remote
        work. In addition, employees who work remotely at least two days per week receive a one-off home
        office allowance of {ALLOWANCE} to buy a desk, chair or other ergonomic equipment. Company equipment
        remains the property of {COMPANY} and must be returned when employment ends. Faults must be reported
        to the IT service desk; employees should not attempt repairs themselves or take devices to external
        repair shops.
        """, "The company provides a laptop, headset and monitor on request, plus a one-off {ALLOWANCE} home "
             "office allowance."),
    ("8. Internet and Running Costs", """
        Employees are responsible for having a reliable internet connection suitable for video calls.
        A monthly contribution of {MONTHLY} towards internet and energy costs is paid with salary to employees
        who work remotely at least two days per week. This contribution is taxable in some countries. The
        company does not reimburse other household costs, such as rent or furniture beyond the one-off
        allowance. Employees who cannot get a suitable connection at home should speak to their manager;
        working from the office or a co-working space may be the better option.
        """, "A monthly {MONTHLY} contribution towards internet and energy is paid to people working "
             "remotely "
             "two or more days a week."),
    ("9. Information Security", """
        Remote work must follow the information security policy. In particular: always use the company VPN
        when accessing internal systems; lock your screen when you step away; never use personal email or
        personal cloud storage for company information; use only approved collaboration tools; and keep
        devices updated. Printed confidential documents should be avoided at home, and if they are
        necessary, they must be stored securely and shredded. Suspected security incidents, including lost
        or stolen devices, must be reported to the security team within {INCIDENT_HOURS} hours.
        """, "Security rules: always use the VPN, no personal email or cloud storage, and report incidents "
             "within {INCIDENT_HOURS} hours."),
    ("10. Data Protection", """
        Personal data about customers and colleagues must be handled in line with data protection law and the
        company's privacy policies, wherever you work. Video calls that involve personal or confidential
        information should be held in a private space, and family members or housemates must not have
        access to company systems or devices. Recording meetings requires the consent of all participants,
        and recordings must be stored only in the approved tools, where they are deleted automatically after
        ninety days unless a longer retention period is justified.
        """, ""),
    ("11. Health and Safety", """
        The company's duty of care applies to remote workers too. Employees must complete the online home
        workstation assessment within their first month of remote work and update it if their setup changes.
        Where the assessment identifies a problem, such as a chair that causes back pain, the company will
        help to fix it. Employees should take regular breaks away from the screen, at least five minutes per
        hour, and report any work-related injury in the same way as in the office.
        """, "Everyone must complete the online home workstation assessment within their first month of "
             "remote "
             "work."),
    ("12. Wellbeing and Disconnection", """
        Remote work can blur the boundary between work and private life. We encourage employees to keep a
        clear end to their working day, to use status indicators to show when they are unavailable, and to
        switch off notifications outside working hours. Managers must not expect replies outside working
        hours, except in documented on-call arrangements. The employee assistance programme offers free,
        confidential counselling by phone or video. Employees who feel isolated are encouraged to talk to
        their manager about spending more time in the office or joining team activities.
        """, "Employees have a right to disconnect; free confidential counselling is available through the "
             "employee assistance programme."),
    ("13. Communication and Collaboration", """
        Teams should agree how they communicate: which channels are used for what, expected response times
        during working hours, and how decisions are documented. As a default, urgent matters go by phone or
        direct message, routine questions by team channels, and decisions are recorded in the shared
        documentation space. Video should be on for team meetings where possible, but it is not mandatory.
        Written communication should be clear and self-contained, because colleagues may read it hours later
        in another time zone.
        """, ""),
    ("14. Meetings", """
        Meetings with participants both in the office and remote must be run so that everyone can take
        part equally. Everyone joins from their own device, even when some people are in the same room, so
        that remote participants can see faces and use the chat. Every meeting should have an agenda
        shared in advance and short written notes afterwards. Teams are encouraged to keep one afternoon
        per week free of meetings for focused work, and to question whether a recurring meeting is still
        necessary every few months.
        """, "In hybrid meetings everyone joins from their own device, and meetings need an agenda and "
             "notes."),
    ("15. Performance and Development", """
        Performance is assessed on outcomes, not on where or how many hours people are seen working. Managers
        will hold regular one-to-one conversations, at least every two weeks, and will make sure remote
        employees have equal access to interesting projects, training and promotion. The People team will
        monitor promotion and pay data to check that remote and office-based employees are treated fairly.
        Employees who feel that working remotely has disadvantaged them can raise this with their manager,
        their HR partner, or anonymously through the speak-up line.
        """, "Performance is judged on outcomes; promotion data will be monitored to make sure remote "
             "workers "
             "aren't disadvantaged."),
    ("16. Onboarding New Employees", """
        New employees spend most of their first {ONBOARD_WEEKS} weeks in the office, where possible, to meet
        their team, learn how the company works, and build relationships. Each new joiner is assigned a buddy
        outside their immediate team. Managers are responsible for planning the onboarding schedule in
        advance, including introductions to key colleagues and a clear set of goals for the first three
        months. For fully remote roles, onboarding includes at least one in-person visit, with travel
        costs paid by the company.
        """, "New employees spend most of their first {ONBOARD_WEEKS} weeks in the office and get a buddy."),
    ("17. Expenses and Travel", """
        Travel between home and the usual office is a personal cost and is not reimbursed, even on days
        when an employee is asked to come in. Travel to other company locations or to clients is reimbursed
        under the travel and expenses policy. Employees who are approved as fully remote and are asked to
        attend an office more than once per month may claim the travel cost for additional visits. All
        expenses must be submitted within sixty days with receipts.
        """, "Commuting to your usual office is not reimbursed; other business travel is."),
    ("18. Availability and Absence", """
        Remote employees follow the same rules for sickness and leave as office-based employees. If you are
        unwell, you should not work from home instead of taking sick leave; report your absence to your
        manager in the usual way before the start of core hours. Caring for children or other dependants is
        not compatible with working time, and remote work is not a substitute for childcare, although
        occasional flexibility in emergencies is possible by agreement with your manager.
        """, "If you're sick, take sick leave rather than working from home; remote work isn't a substitute "
             "for childcare."),
    ("19. Insurance and Liability", """
        Company equipment is insured by {COMPANY} wherever it is used, as long as reasonable care is taken;
        for example, devices should not be left visible in a parked car. Employees should check whether their
        home insurance requires them to declare that they work from home; in most cases this does not change
        the premium. The company is not responsible for damage to an employee's own property, except where
        it is caused by faulty company equipment.
        """, ""),
    ("20. Managers' Responsibilities", """
        Managers are responsible for agreeing working patterns fairly and consistently, for setting clear
        goals, for holding regular one-to-ones, for noticing signs of overwork or isolation, and for making
        sure remote employees are included in decisions, social events and development opportunities.
        Managers will receive training on leading hybrid teams during the first six months after this policy
        takes effect. Where a manager believes that remote work is not working for a particular employee,
        they must discuss it openly and agree a plan before changing the arrangement.
        """, ""),
    ("21. Changes to Arrangements", """
        Remote working is a flexible arrangement, not a contractual right, except where it is written into
        the employment contract. Either the employee or the company can ask to change an arrangement, with
        four weeks' notice in normal circumstances. The company may temporarily require more office
        attendance for specific business reasons, such as a critical project phase, and will explain the
        reason and the expected duration. Employees can appeal a decision they disagree with through the
        standard grievance procedure.
        """, "Arrangements can be changed by either side with four weeks' notice, and decisions can be "
             "appealed."),
    ("22. Office Space", """
        Offices are organised around shared desks, bookable through the workplace app up to two weeks in
        advance, as well as quiet rooms, meeting rooms and collaboration areas. Each team has a home zone
        where it can sit together on anchor days. Personal items can be kept in lockers. Because desks are
        shared, everyone must clear their desk at the end of the day. Office occupancy data is collected
        anonymously and will be used to adapt space over time.
        """, ""),
    ("23. Environmental Considerations", """
        Remote work can reduce commuting emissions but may increase energy use at home. The company will
        include remote work in its annual carbon footprint estimate and encourages employees to use
        energy-efficient equipment, to switch off devices when not in use, and to combine office days with
        other errands to reduce travel. On anchor days, employees are encouraged to travel by public
        transport, bicycle or on foot, and secure cycle parking and showers are available in all main
        offices.
        """, ""),
    ("24. Reasonable Adjustments", """
        Employees with a disability or long-term health condition may request remote work, a different
        pattern or specific equipment as a reasonable adjustment, regardless of whether their role is
        normally eligible. Such requests are handled confidentially by the People team together with
        occupational health, and the employee does not need to disclose a diagnosis to their manager. The
        company will cover the cost of equipment recommended by an occupational health assessment, such as
        specialist chairs, screen readers or adapted keyboards, and adjustments will be reviewed with the
        employee at least once a year.
        """, "Remote work and equipment can be requested as a reasonable adjustment, handled "
             "confidentially."),
    ("25. Time Recording", """
        In countries where the law requires working time to be recorded, employees record their hours in the
        HR system, whether they work in the office or remotely. Time recording is not used to monitor
        productivity, and the company does not use software that tracks keystrokes, mouse movements or
        screenshots. Overtime must be agreed in advance with the manager and is compensated according to the
        employment contract or local agreements. Employees who regularly work beyond their contracted hours
        should raise this with their manager so that the workload can be reviewed.
        """, "No keystroke or screenshot monitoring; hours are recorded only where the law requires it."),
    ("26. Leaving the Company", """
        When employment ends, all company equipment, including laptops, monitors and headsets, must be
        returned within ten working days. The company provides prepaid packaging and a courier collection,
        so employees do not need to pay for shipping. The one-off home office allowance does not have to be
        repaid, and furniture bought with it remains the employee's property. Access to company systems is
        removed on the last working day, so employees should make sure any personal files are removed from
        company devices beforehand, and that all work files are stored in the shared drives.
        """, ""),
    ("27. Team Agreements", """
        Within the framework of this policy, every team is asked to write a short team agreement within
        three months, and to revisit it every six months. The agreement should cover the team's anchor days,
        its preferred communication channels and expected response times, how meetings are run and
        documented, how new members are welcomed, and how the team stays connected socially. A template is
        available on the intranet. Team agreements cannot override this policy, but they help turn general
        principles into practical habits that suit the way each team works.
        """, "Each team must write a short team agreement (anchor days, channels, meetings) within three "
             "months."),
    ("28. Frequently Asked Questions", """
        Can I change my anchor day? Teams set anchor days together; individual exceptions should be rare and
        agreed with the manager. Can I work from a café? Only for tasks without confidential information,
        and never for calls with customers. What if my internet fails? Move to another location with a
        secure connection, such as the office, or let your manager know and make up the time later. Can I
        use my own laptop? No; only company devices may be used to access company systems. Does remote work
        affect my salary? No; pay is not adjusted based on where within your country you work.
        """, ""),
    ("29. Review of this Policy", """
        This policy will be reviewed after twelve months, and then every two years, based on an employee
        survey, data on collaboration and performance, and feedback from employee representatives. The
        review will look in particular at whether the number of remote days, the anchor-day approach and the
        allowances are working as intended, and at any differences in experience between groups of
        employees. Questions about this policy can be sent to the People team through the HR portal.
        """, "The policy will be reviewed after twelve months using a survey and collaboration data."),
    ("30. Glossary", """
        Anchor day: a day agreed by a team when everyone is expected in the office. Core hours: the period
        when all employees are expected to be available, currently {CORE_START} to {CORE_END}. Fully remote
        role: a role approved to be performed without regular office attendance. Home workstation
        assessment: the online questionnaire used to check that a home setup is safe and ergonomic. VPN:
        virtual private network, the secure connection required to access internal systems from outside the
        office network.
        """, ""),
]

def _abroad(days: int) -> dict[str, str]:
    fit = ("that fits within the limit" if days >= 22 else
           "that would go over the limit; you'd need to shorten the trip or ask for a formal assessment")
    return {"ABROAD_DAYS": str(days), "ABROAD_FIT": fit}


DOC_FILL = {
    "transit": lambda rng: {
        "CITY": rng.choice(["Northvale", "Ashbourne", "Kingsport", "Riverton", "Eastmere"]),
        "RECOVERY": str(rng.choice([86, 89, 91, 93, 95])),
        "STAFF": f"{rng.randint(31, 38) * 100 + rng.randint(0, 99):,}",
        "RIDERS": num(rng.uniform(120, 190), 1),
        "GROWTH": num(rng.uniform(4, 12), 1),
        "ONTIME": num(rng.uniform(82, 91), 1),
        "RAILONTIME": num(rng.uniform(88, 95), 1),
        "STEPFREE": str(rng.randint(21, 30)),
        "FAREUP": num(rng.uniform(2.5, 4.5), 1),
        "ASSAULTS": str(rng.randint(12, 28)),
        "REVENUE": f"${rng.randint(380, 520)}",
        "FARESHARE": str(rng.randint(31, 42)),
        "COSTS": f"${rng.randint(540, 690)}",
        "COSTUP": num(rng.uniform(5, 9), 1),
        "DEFICIT": f"${rng.randint(28, 65)}",
        "CAPEX": f"${rng.randint(140, 260)}",
        "SIGNALLING": f"${rng.randint(320, 480)}",
        "EBUS": str(rng.randint(18, 34)),
        "CO2": str(rng.randint(7, 16)),
        "SATISFACTION": num(rng.uniform(7.2, 8.1), 1),
        "SUPPLIERS": f"${rng.randint(210, 300)}",
    },
    "policy": lambda rng: {
        "COMPANY": rng.choice(["Brightline Analytics", "Halden Foods", "Norrtek Systems", "Calder & Finch",
                               "Meridian Health Software"]),
        "START": rng.choice(["1 March", "1 April", "1 September", "1 January"]),
        "REMOTE_DAYS": str(rng.choice([2, 3])),
        "CORE_START": rng.choice(["10:00", "9:30"]),
        "CORE_END": rng.choice(["15:00", "15:30", "16:00"]),
        **_abroad(rng.choice([20, 30, 45])),
        "ALLOWANCE": rng.choice(["€400", "€500", "£350", "$500"]),
        "MONTHLY": rng.choice(["€25", "€30", "£20", "$35"]),
        "INCIDENT_HOURS": str(rng.choice([2, 4, 24])),
        "ONBOARD_WEEKS": str(rng.choice([2, 4])),
    },
}

DOC_KINDS = {
    "transit": {
        "title": "{CITY} Regional Transit Authority — Annual Report",
        "sections": TRANSIT_SECTIONS,
        "ask": [
            "I have a board meeting tomorrow and no time to read this whole annual report. Can you summarize "
            "the key points for me?",
            "Please summarize the following annual report in a few bullet points, focusing on what matters "
            "for decision makers.",
            "Can you give me an executive summary of this report?",
        ],
        "lead": "The {CITY} Regional Transit Authority had a year of recovery and investment, but faces a "
                "serious funding gap. The key points:",
        "follow": [
            ("What are the three biggest risks I should raise at the meeting?", """
                Based on the report, I'd raise these three:

                1. **The funding gap.** Costs ({COSTS} million) are well above revenue ({REVENUE}
                   million), the gap was covered by a one-off grant, and a deficit of about {DEFICIT}
                   million a year is projected from next year. Ask what the options are and when the board
                   will decide, since the fallback is service cuts.
                2. **North Line signalling.** The system is about 40 years old, spare parts are no longer
                   made, it already causes over a third of rail delay minutes, and the {SIGNALLING}
                   million replacement is unfunded. Ask what the contingency plan is if the national fund
                   says no.
                3. **Information during disruption and night-time safety.** These are the lowest-scoring areas
                   for passengers and directly affect trust. Ask for timelines and measurable targets for the
                   new disruption system and the women's safety action plan.

                A good framing is to ask, for each, "what happens if this goes wrong, and who owns it?"; the
                report says each principal risk has an executive owner.
                """),
            ("Can you write it as a short paragraph I could read out loud?", """
                "Ridership has recovered to {RECOVERY}% of pre-pandemic levels, with {RIDERS} million
                boardings, customer satisfaction is at a record {SATISFACTION} out of 10, and the network
                redesign and the first electric bus depot were delivered on time. But the Authority spent
                {COSTS} million against {REVENUE} million of revenue, and without a new funding settlement
                it faces a deficit of around {DEFICIT} million a year. The most urgent asset risk is the
                forty-year-old signalling on the North Line, whose {SIGNALLING} million replacement is not
                yet funded. Next year's priorities are securing that funding, closing the operating gap
                without cutting services, and improving passenger information and safety at night."
                """),
        ],
    },
    "policy": {
        "title": "{COMPANY} — Remote and Hybrid Work Policy",
        "sections": POLICY_SECTIONS,
        "ask": [
            "Our company just sent out this new remote work policy. It's really long. Can you summarize what "
            "I actually need to know as an employee?",
            "Summarize this policy document for me please. What are the main rules and what changes for me?",
            "tl;dr of this hybrid work policy? I need the important bits.",
        ],
        "lead": "Here's what matters most in {COMPANY}'s new remote and hybrid work policy:",
        "follow": [
            ("I want to work from Portugal for a month in summer. Is that allowed?", """
                Possibly, but only with **advance approval**. The policy allows working from another
                country for up to **{ABROAD_DAYS} working days in any twelve-month period**. A month is
                roughly 21–22 working days, so {ABROAD_FIT}.

                What you need to do:

                1. Submit the request through the travel and mobility tool; approval usually takes about five
                   working days, so apply well in advance.
                2. Check that Portugal isn't on the Legal team's list of excluded countries.
                3. Make sure you can still follow the security rules (VPN, private workspace) and be available
                   during core hours, {CORE_START}–{CORE_END} *local time* as the policy puts it; check with
                   your manager how that applies if the time zone differs.

                Don't go without approval: the policy warns that unapproved work abroad can create tax and
                legal problems and may lead to disciplinary action.
                """),
            ("Can my manager just tell me to come into the office every day?", """
                Not simply on a whim. Under the policy, remote work is a flexible arrangement rather than a
                contractual right (unless it's in your contract), so it *can* be changed, but:

                - Changes normally require **four weeks' notice**.
                - The company can temporarily require more office attendance for a **specific business
                  reason**, such as a critical project phase, but must explain the reason and how long it will
                  last.
                - If a manager thinks remote work isn't working for you, they have to **discuss it openly and
                  agree a plan** before changing the arrangement.
                - You can **appeal** through the standard grievance procedure if you disagree.

                If you have a health condition or disability, you can also request remote work as a
                reasonable adjustment, which is handled confidentially by the People team.
                """),
            ("Do I get money for a desk chair?", """
                Yes, if you work remotely at least two days per week. You'd receive a **one-off home office
                allowance of {ALLOWANCE}** for a desk, chair or other ergonomic equipment, plus a **monthly
                contribution of {MONTHLY}** towards internet and energy, paid with your salary (it may be
                taxable depending on your country). The company also provides a laptop and headset, and a
                monitor, keyboard and mouse on request through the IT service desk.

                Also remember the **home workstation assessment**: you have to complete it within your first
                month of remote work, and if it identifies a problem (like a chair causing back pain), the
                company has committed to help fix it.
                """),
        ],
    },
}


def build_document(rng: random.Random, kind: str) -> list[tuple[str, str]]:
    spec = DOC_KINDS[kind]
    values = DOC_FILL[kind](rng)

    def fill(text: str) -> str:
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        return text

    sections = list(spec["sections"])
    optional = [i for i, s in enumerate(sections) if not s[2]]
    drop = set(rng.sample(optional, k=rng.randint(0, 2)))
    kept = [s for i, s in enumerate(sections) if i not in drop]
    doc = fill(spec["title"]) + "\n\n" + "\n\n".join(f"## {h}\n\n{fill(T(body))}" for h, body, _ in kept)
    user = rng.choice(spec["ask"]) + "\n\n" + doc
    points = "\n".join(f"- {fill(point)}" for _, _, point in kept if point)
    answer = fill(spec["lead"]) + "\n\n" + points + "\n\n" + rng.choice([
        "Let me know if you'd like more detail on any section.",
        "I can also pull out the figures into a table or draft questions for the discussion if that helps.",
        "Happy to go deeper into any of these points.",
    ])
    turns = [(user, answer)]
    for q, a in rng.sample(spec["follow"], k=len(spec["follow"])):
        turns.append((q, fill(T(a))))
    return turns


# =========================================================================================================
# Assembly
# =========================================================================================================

# family -> (language, items, options). Items are scenario dicts or functions rng -> scenario.
# Options: "plain" = no opener/acknowledgement decoration (greetings, one-liners).
FAMILIES: dict[str, tuple[str, list, set[str]]] = {
    "python": ("English", PYTHON, set()), "javascript": ("English", JAVASCRIPT, set()),
    "sql": ("English", SQL, set()), "rust": ("English", RUST, set()), "c": ("English", C_LANG, set()),
    "bash": ("English", BASH, set()), "math": ("English", MATH, set()),
    "physics": ("English", PHYSICS, set()),
    "science": ("English", SCIENCE, set()), "history": ("English", HISTORY, set()),
    "geography": ("English", [*GEOGRAPHY, g_capital, g_capital, g_capital], set()),
    "recipes": ("English", RECIPES, set()), "travel": ("English", TRAVEL, set()),
    "health": ("English", HEALTH, set()), "finance": ("English", FINANCE, set()),
    "career": ("English", CAREER, set()), "home": ("English", HOME, set()), "tech": ("English", TECH, set()),
    "poems": ("English", POEMS, set()), "stories": ("English", STORIES, set()),
    "emails": ("English", EMAILS, set()), "summaries": ("English", SUMMARIES, set()),
    "business": ("English", BUSINESS, set()), "translation": ("English", TRANSLATION, set()),
    "riddles": ("English", RIDDLES, {"plain"}), "trivia": ("English", TRIVIA, set()),
    "compare": ("English", COMPARE, set()), "roleplay": ("English", ROLEPLAY, {"plain"}),
    "philosophy": ("English", PHILOSOPHY, set()), "music": ("English", MUSIC, set()),
    "sports": ("English", SPORTS, set()), "media": ("English", MEDIA, set()),
    "language": ("English", LANGUAGE, set()), "advice": ("English", ADVICE, set()),
    "ml": ("English", ML, set()),
    "environment": ("English", ENVIRONMENT, set()), "study": ("English", STUDY, set()),
    "short": ("English", SHORT, {"plain"}),
    "fr": ("French", [*FRENCH, _fr_math], set()), "es": ("Spanish", [*SPANISH, _es_math], set()),
    "de": ("German", [*GERMAN, _de_math], set()), "pt": ("Portuguese", [*PORTUGUESE, _pt_math], set()),
    "it": ("Italian", ITALIAN, set()), "ru": ("Russian", [*RUSSIAN, _ru_math], set()),
    "zh": ("Chinese", [*CHINESE, _zh_math, _zh_math], set()), "ja": ("Japanese", JAPANESE, set()),
    "ko": ("Korean", KOREAN, set()),
}

PLAN = {
    "python": 18, "javascript": 11, "sql": 10, "rust": 7, "c": 7, "bash": 10, "math": 26, "physics": 14,
    "science": 17, "history": 12, "geography": 12, "recipes": 10, "travel": 9, "health": 10, "finance": 7,
    "career": 6, "home": 7, "tech": 7, "poems": 11, "stories": 7, "emails": 14, "summaries": 7, "business": 7,
    "translation": 9, "riddles": 9, "trivia": 14, "compare": 6, "roleplay": 7, "philosophy": 6, "music": 5,
    "sports": 5, "media": 6, "language": 8, "advice": 8, "ml": 8, "environment": 4, "study": 4, "short": 20,
    "zh": 26, "es": 21, "ru": 20, "fr": 19, "de": 18, "pt": 18, "ja": 14, "it": 12, "ko": 12,
}

LONG_PLAN = (
    [("review", v) for v in range(5)]
    + [("story", (0, 0)), ("story", (0, 1)), ("story", (1, 2)), ("story", (1, 3))]
    + [("doc", "transit")] * 4 + [("doc", "policy")] * 3
)
LONG_MODELS = [("gpt-4", 4), ("claude-2", 3), ("claude-1", 2), ("vicuna-33b", 2), ("gpt-3.5-turbo", 2)]
ZH_MODELS = [("chatglm-6b", 4), ("chatglm2-6b", 2), ("vicuna-13b", 4), ("gpt-3.5-turbo", 2), ("koala-13b", 1)]
FEMALE_EN = ["Emily", "Sarah", "Priya", "Olivia", "Grace", "Hannah", "Chloe", "Aisha", "Maya", "Laura"]

SYSTEM_PROMPTS = [
    "You are a helpful assistant.",
    "You are a helpful, respectful and honest assistant. Always answer as helpfully as possible.",
    "You are a friendly AI assistant. Keep your answers clear and concise.",
    "You are an AI assistant that helps people find information.",
    "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, "
    "detailed, and polite answers to the user's questions.",
]

TURN_WEIGHTS = [(1, 60), (2, 17), (3, 10), (4, 6), (5, 4), (6, 3)]
_NO_ACK = ("**", "#", "-", "|", "```", "«", "„", "\"", "*", "~", ">", "「", "【")


def pick(rng: random.Random, weighted: list[tuple]) -> object:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


class ScenarioQueue:
    """Hands out a family's scenarios in shuffled rounds so all are used about equally."""

    def __init__(self, items: list, rng: random.Random):
        self.items, self.rng, self.queue = items, rng, []

    def next(self, avoid: set[int]) -> tuple[int, dict]:
        for _ in range(2 * len(self.items) + 2):
            if not self.queue:
                self.queue = list(range(len(self.items)))
                self.rng.shuffle(self.queue)
            i = self.queue.pop()
            if i not in avoid or len(avoid) >= len(self.items):
                item = self.items[i]
                return i, item(self.rng) if callable(item) else item
        raise RuntimeError("scenario queue exhausted")


def first_question(rng: random.Random, text: str, kit: dict, plain: bool, language: str) -> str:
    if not plain and len(text) > 15:  # greetings and one-word messages stay as they are
        opener = rng.choice(kit["open"])
        if opener and language not in ("Chinese", "Japanese", "Korean") and opener.endswith(", "):
            text = lc_first(text)
        text = opener + text
    if language == "English" and "\n" not in text and rng.random() < 0.2:
        text = lc_first(text)
        if text.endswith("?") and rng.random() < 0.5:
            text = text[:-1]
    return text


def answer_text(rng: random.Random, text: str, kit: dict, plain: bool) -> str:
    first_line = text.split("\n", 1)[0]
    if plain or first_line.startswith(_NO_ACK) or len(first_line) < 40 or first_line[0].isdigit():
        return text
    return rng.choice(kit["ack"]) + text


def build_regular(rng: random.Random, family: str, queue: ScenarioQueue) -> list[dict]:
    language, _items, options = FAMILIES[family]
    kit, plain = KITS[language], "plain" in options
    target = pick(rng, TURN_WEIGHTS)
    messages: list[dict] = []
    used: set[int] = set()
    while len(messages) // 2 < target:
        i, scen = queue.next(used)
        if i in used:
            break
        used.add(i)
        q = rng.choice(scen["q"])
        if not messages:
            q = first_question(rng, q, kit, plain, language)
        else:
            connector = rng.choice(kit["next"])
            q = connector + (lc_first(q) if connector.endswith(", ") and language == "English" else q)
        messages += [{"role": "user", "content": q}, {"role": "assistant", "content": answer_text(
            rng, scen["a"], kit, plain)}]
        for fq, fa in scen["f"]:
            if len(messages) // 2 >= target:
                break
            messages += [{"role": "user", "content": fq}, {"role": "assistant", "content": fa}]
        if len(messages) // 2 == target - 1 and target >= 2 and rng.random() < 0.45:
            tq, ta = rng.choice(kit["thanks"])
            messages += [{"role": "user", "content": tq}, {"role": "assistant", "content": ta}]
    return messages


def build_long(rng: random.Random, kind: str, arg: object) -> list[dict]:
    if kind == "review":
        turns = build_code_review(rng, arg)
    elif kind == "story":
        world, cast = arg
        turns = build_story(rng, world, STORY_CAST[cast])
    else:
        turns = build_document(rng, arg)
    messages = []
    for user, assistant in turns:
        messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return messages


def moderation(rng: random.Random) -> dict:
    return {
        "categories": dict.fromkeys(MODERATION_CATEGORIES, False),
        "category_scores": {c: float(f"{10 ** rng.uniform(-7.5, -3.3):.6g}") for c in MODERATION_CATEGORIES},
        "flagged": False,
    }


def words(messages: list[dict]) -> int:
    return sum(len(m["content"].split()) for m in messages)


def resolve_names(rng: random.Random, convs: list[dict]) -> None:
    """Fill {NAME}/{NAME2}: about 5% of conversations get lmsys-style NAME_1 redactions, the rest names."""
    candidates = [c for c in convs if any(_SLOT.search(m["content"]) for m in c["messages"])]
    n_redact = min(len(candidates), round(0.05 * len(convs)))
    redact = {id(c) for c in rng.sample(candidates, n_redact)}
    for c in candidates:
        if id(c) in redact:
            names = {"NAME": "NAME_1", "NAME2": "NAME_2"}
        else:
            pool = NAMES[c["language"]]
            first = rng.choice(FEMALE_EN if c["language"] == "English" else pool)
            names = {"NAME": first, "NAME2": rng.choice([n for n in pool if n != first])}
        for m in c["messages"]:
            m["content"] = _SLOT.sub(lambda mt, names=names: names[mt.group(1)], m["content"])
        c["redacted"] = id(c) in redact


def build_all(seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    convs: list[dict] = []
    seen: set[str] = set()

    def add(family: str, language: str, messages: list[dict], model: str) -> bool:
        key = hashlib.md5(json.dumps(messages, ensure_ascii=False).encode()).hexdigest()
        if key in seen:
            return False
        seen.add(key)
        convs.append({"family": family, "language": language, "messages": messages, "model": model,
                      "redacted": False})
        return True

    for family, count in PLAN.items():
        language, items, _ = FAMILIES[family]
        queue = ScenarioQueue(items, rng)
        made, attempts = 0, 0
        while made < count and attempts < count * 30:
            attempts += 1
            messages = build_regular(rng, family, queue)
            model = str(pick(rng, ZH_MODELS if language == "Chinese" else MODELS))
            made += add(family, language, messages, model)
        if made < count:
            print(f"warning: {family}: only {made} of {count} distinct conversations", file=sys.stderr)

    for kind, arg in LONG_PLAN:
        add(f"long-{kind}", "English", build_long(rng, kind, arg), str(pick(rng, LONG_MODELS)))

    resolve_names(rng, convs)

    regular = [c for c in convs if not c["family"].startswith("long-") and c["family"] != "short"]
    for c in rng.sample(regular, round(0.03 * len(convs))):
        c["messages"].insert(0, {"role": "system", "content": rng.choice(SYSTEM_PROMPTS)})

    rng.shuffle(convs)
    records = []
    for index, c in enumerate(convs):
        records.append({
            "conversation_id": hashlib.md5(f"saescope-sample/{seed}/{index}/{c['family']}".encode())
            .hexdigest(),
            "model": c["model"],
            "conversation": c["messages"],
            "turn": sum(m["role"] == "user" for m in c["messages"]),
            "language": c["language"],
            "openai_moderation": [moderation(rng) for _ in c["messages"]],
            "redacted": c["redacted"],
        })
        records[-1]["_family"] = c["family"]  # for the summary only; removed before writing
    return records


def encode(records: list[dict]) -> bytes:
    lines = []
    for r in records:
        clean = {k: r[k] for k in KEYS}
        lines.append(json.dumps(clean, ensure_ascii=False))
    raw = ("\n".join(lines) + "\n").encode("utf-8")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    return buf.getvalue()


def validate(records: list[dict]) -> list[str]:
    """Problems with the records, as messages (empty when everything is in order)."""
    problems = []
    ids = set()
    for n, r in enumerate(records):
        where = f"record {n}"
        if set(k for k in r if not k.startswith("_")) != set(KEYS):
            problems.append(f"{where}: keys {sorted(r)}")
        cid = r["conversation_id"]
        if not (isinstance(cid, str) and re.fullmatch(r"[0-9a-f]{32}", cid)) or cid in ids:
            problems.append(f"{where}: bad or duplicate conversation_id")
        ids.add(cid)
        msgs = r["conversation"]
        roles = [m["role"] for m in msgs]
        body = roles[1:] if roles and roles[0] == "system" else roles
        expected = ["user", "assistant"] * (len(body) // 2)
        if body != expected or not body:
            problems.append(f"{where}: roles {roles}")
        for m in msgs:
            if set(m) != {"role", "content"} or not isinstance(m["content"], str) or not m["content"].strip():
                problems.append(f"{where}: bad message {str(m)[:80]}")
            if "{NAME" in m["content"]:
                problems.append(f"{where}: unresolved name slot")
        if not isinstance(r["turn"], int) or r["turn"] != roles.count("user"):
            problems.append(f"{where}: turn {r['turn']}")
        if not isinstance(r["model"], str) or not isinstance(r["language"], str):
            problems.append(f"{where}: model/language type")
        mods = r["openai_moderation"]
        if not isinstance(mods, list) or len(mods) != len(msgs) or any(
                set(x) != {"categories", "category_scores", "flagged"} or x["flagged"] for x in mods):
            problems.append(f"{where}: moderation")
        if not isinstance(r["redacted"], bool):
            problems.append(f"{where}: redacted type")
        has_name = any(re.search(r"NAME_\d", m["content"]) for m in msgs)
        if has_name != r["redacted"]:
            problems.append(f"{where}: redacted={r['redacted']} but NAME_ placeholder present={has_name}")
    return problems


def summary(records: list[dict], data: bytes, out: Path) -> None:
    n = len(records)
    langs = Counter(r["language"] for r in records)
    turns = Counter(r["turn"] for r in records)
    sizes = sorted(((words(r["conversation"]), r["_family"], r["turn"]) for r in records), reverse=True)
    long_n = sum(w >= 3000 for w, _, _ in sizes)
    multi = sum(r["turn"] >= 2 for r in records)
    families = Counter(r["_family"] for r in records)
    print(f"wrote {out} ({len(data):,} bytes gzipped), {n} conversations, sha256 "
          f"{hashlib.sha256(data).hexdigest()[:16]}")
    print("languages: " + ", ".join(f"{k} {v} ({v / n:.0%})" for k, v in langs.most_common()))
    print("turns: " + ", ".join(f"{k}: {turns[k]}" for k in sorted(turns)) +
          f"; multi-turn {multi} ({multi / n:.0%})")
    print(f"topic families: {len(families)}; system prompts: "
          f"{sum(r['conversation'][0]['role'] == 'system' for r in records)}; redacted: "
          f"{sum(r['redacted'] for r in records)}")
    ws = [w for w, _, _ in sizes]
    print(f"words per conversation: median {ws[n // 2]}, min {ws[-1]}, max {ws[0]}; "
          f"50-600 words: {sum(50 <= w <= 600 for w in ws)}; under 50: {sum(w < 50 for w in ws)}; "
          f"3000+: {long_n}")
    print("longest: " + ", ".join(f"{w} ({fam}, {t} turns)" for w, fam, t in sizes[:12]))
    print("models: " + ", ".join(f"{k} {v}" for k, v in Counter(r["model"] for r in records).most_common(8)))


def main(argv: list[str]) -> int:
    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else OUT
    records = build_all()
    problems = validate(records)
    if problems:
        print("\n".join(problems[:50]), file=sys.stderr)
        return 1
    data = encode(records)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    summary(records, data, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
