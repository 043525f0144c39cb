"""Judge a learner's sentence by the ideas it holds, not by one keyword.

A core exercise asks "why?" in plain words. One listed keyword let through a sentence that restates the
question, a long vague one, or one that names the wrong reason. Here a `Reason` lists the ideas a sound
answer must hold (each one said in any of several ways), the misconceptions that sink it whatever else it
says, the true but beside-the-point reasons it is told about when it holds no idea, and the question it
answers, whose own words never count as evidence:

    reason = Reason(
        question="Why must provisioning still refuse last week's well-signed webhook?",
        ideas=(Idea("what someone could do with a copy of it", ("send* ~ again", "replay*")),),
        wrong=(Misconception(("secret* ~ chang*",), "the secret did not change: the fingerprints match"),),
    )
    verdict = reason.judge(answer, name="WHY_TOO_OLD")   # verdict.ok, verdict.message

A phrase is words in order; `~` lets up to four other words stand between two of them (`~1`: one), `*`
ends a stem ("replay*" is replay, replayed, replaying), `|` separates one word's alternatives ("send*|resen*";
an alternative of several words is a phrase of its own) and `@` is any email address. A word of five letters
or more also matches with one letter wrong, missing, extra or two swapped, so a typo still counts. "can't",
"doesn't" and the like are read as "can not", "does not".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

#: Words too common to say anything: a sentence made of these and the question's words restates it.
STOPWORDS = frozenset(
    "a an the and or but so if then than that this these those it its it's is are was were be been being to of in"
    " on at by for with from as into about up out not no do does did done have has had will would can could should"
    " may might must i we you he she they them their our your his her me us my there here what which who whom why"
    " how when where all any each every some one just also very because since".split()
)
#: How many words may stand between two words of a phrase joined by `~`.
GAP = 4
#: Fewest words of its own (not the question's, not stopwords) an answer holds before it says anything.
OWN_WORDS = 2
_CONTRACTIONS = (
    (r"\bcan't\b|\bcannot\b", "can not"),
    (r"\bwon't\b", "will not"),
    (r"\bshan't\b", "shall not"),
    (r"n't\b", " not"),
    (r"'re\b", " are"),
    (r"'ll\b", " will"),
    (r"'ve\b", " have"),
    (r"'d\b", " would"),
)


def words(text: str) -> list[str]:
    """`text` as lowercase words, contractions opened ("can't" → "can", "not")."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    for pattern, replacement in _CONTRACTIONS:
        text = re.sub(pattern, replacement, text)
    return re.findall(r"[a-z0-9]+(?:[.@][a-z0-9]+)*", text.replace("'s ", " ").replace("'", " "))


def _close(a: str, b: str) -> bool:
    """At most one edit apart (one letter wrong, missing, extra, or two neighbours swapped)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


@cache
def _word_matches(pattern: str, word: str) -> bool:
    for option in pattern.split("|"):
        if option == "@":  # any email address
            if "@" in word:
                return True
        elif option.endswith("*"):
            stem = option[:-1]
            if word.startswith(stem):
                return True
            if len(stem) >= 5 and any(_close(stem, word[:n]) for n in (len(stem) - 1, len(stem), len(stem) + 1)):
                return True
        elif word == option or (len(option) >= 5 and _close(option, word)):
            return True
    return False


def _compile(phrase: str) -> list[tuple[str, int]]:
    """A phrase as (word pattern, most words allowed before it since the last one)."""
    parts: list[tuple[str, int]] = []
    gap = 0
    for token in phrase.split():
        if token.startswith("~"):
            gap = int(token[1:] or GAP)
            continue
        parts.append((token, gap))
        gap = 0
    return parts


def find(phrase: str, tokens: list[str | None]) -> bool:
    """Whether `phrase` is said in `tokens` (a None is a word that does not count: it matches nothing)."""
    parts = _compile(phrase)

    def from_(index: int, part: int) -> bool:
        if part == len(parts):
            return True
        pattern, gap = parts[part]
        for at in range(index, min(len(tokens), index + gap + 1)):
            token = tokens[at]
            if token is not None and _word_matches(pattern, token) and from_(at + 1, part + 1):
                return True
        return False

    return any(
        token is not None and _word_matches(parts[0][0], token) and from_(start + 1, 1)
        for start, token in enumerate(tokens)
    )


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _unquoted(answer: list[str], question: list[str], run: int = 3) -> list[str | None]:
    """`answer` with every run of `run` or more words copied from the question blanked out."""
    kept: list[str | None] = list(answer)
    for start in range(len(answer)):
        for end in range(len(answer), start + run - 1, -1):
            span = answer[start:end]
            if any(question[i : i + len(span)] == span for i in range(len(question) - len(span) + 1)):
                kept[start:end] = [None] * len(span)
                break
    return kept


@dataclass(frozen=True)
class Idea:
    """One part a sound answer must hold: `says` names it in feedback, `phrases` are the ways to say it."""

    says: str
    phrases: tuple[str, ...]

    def held_by(self, tokens: list[str | None]) -> bool:
        return any(find(phrase, tokens) for phrase in self.phrases)


@dataclass(frozen=True)
class Misconception:
    """A wrong reason: said in any of `phrases`, the answer fails with `message`, which names the mistake."""

    phrases: tuple[str, ...]
    message: str

    def held_by(self, tokens: list[str | None]) -> bool:
        return any(find(phrase, tokens) for phrase in self.phrases)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str = ""


@dataclass(frozen=True)
class Reason:
    """What a sound answer to `question` holds: every one of `ideas`, and none of `wrong`."""

    question: str
    ideas: tuple[Idea, ...]
    wrong: tuple[Misconception, ...] = ()
    #: Reasons that are true but do not decide the question: named when the answer holds no idea.
    beside: tuple[Misconception, ...] = ()
    min_words: int = 6

    def evidence_in_question(self) -> list[str]:
        """The phrases the question itself says: each would let a restated question pass (should be none)."""
        tokens: list[str | None] = list(words(self.question))
        return [phrase for idea in self.ideas for phrase in idea.phrases if find(phrase, tokens)]

    def judge(self, answer: object, *, name: str) -> Verdict:
        """The verdict on `answer`; a failing one says, in the learner's terms, what to change."""
        if answer is not None and answer is not Ellipsis and not isinstance(answer, str):
            return Verdict(False, f'{name} is {answer!r}: write your answer as a sentence in quotes, "Because ..."')
        if not isinstance(answer, str) or not answer.strip() or answer.strip() in ("...", "Because ..."):
            return Verdict(False, f"{name} is empty: write a sentence of at least {self.min_words} words")
        said = words(answer)
        if not said:
            return Verdict(False, f"{name} has no words yet: write a sentence of at least {self.min_words} words")
        if len(said) < self.min_words:
            count = f"{len(said)} word" + ("" if len(said) == 1 else "s")
            return Verdict(False, f"{name} has {count}: write a sentence of at least {self.min_words} words")
        question = words(self.question)
        tokens = _unquoted(said, question)
        # A wrong reason sinks the answer even in words copied from the question; only ideas need its own words.
        for wrong in self.wrong:
            if wrong.held_by(list(said)):
                return Verdict(False, f"{name}: {wrong.message}")
        missing = [idea for idea in self.ideas if not idea.held_by(tokens)]
        if not missing:
            return Verdict(True)
        for other in self.beside:
            if other.held_by(list(said)):
                return Verdict(False, f"{name}: {other.message}")
        asked = {_stem(word) for word in question}
        content = [w for w in said if w not in STOPWORDS]
        own = [w for w in content if _stem(w) not in asked]
        if len(own) < OWN_WORDS and len(content) - len(own) >= OWN_WORDS:
            return Verdict(False, f"{name} only repeats the question: say {missing[0].says}")
        return Verdict(False, f"{name} does not say {missing[0].says}")


#: A mailbox name with one of these words is a group's.
GROUP_WORDS = frozenset("team teams all everyone everybody staff group crew squad dept department list noreply".split())
#: A mailbox name made only of these words is a function's (support@, customer.success@), not a person's.
TEAM_WORDS = GROUP_WORDS | frozenset(
    "support help helpdesk info contact hello alerts alert notifications no reply admin admins oncall on call sales"
    " billing finance accounts success customer customers service services engineering devops operations marketing"
    " office mail inbox it hr".split()
)
ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def addresses(text: str) -> list[str]:
    """Every email address written in `text`, in order."""
    return ADDRESS.findall(text)


def one_person_problem(answer: object, example: str) -> str:
    """What keeps `answer` from naming one person by email address ("" when it does), in the learner's terms.

    A mailbox whose name is only group words (team@, support@, customer.success@) is a team's, not a person's.
    The course's own `ops@example.com` and `dana.ops@example.com` are named on-call people, so "ops" is no
    group word; `ops.team@` is.
    """
    if not isinstance(answer, str) or not answer.strip():
        return f"write one person's email address, such as {example!r}"
    found = addresses(answer)
    if not found:
        return f"{answer!r} is not an email address: write one person's address, such as {example!r}"
    if len({address.lower() for address in found}) > 1:
        return f"{answer!r} names {len(found)} addresses: name one person, so nobody thinks someone else will act"
    local = re.split(r"[._+-]", found[0].split("@")[0].lower())
    parts = [part for part in local if part]
    if any(part in GROUP_WORDS for part in parts) or all(part in TEAM_WORDS for part in parts):
        return (
            f"{found[0]!r} is a team's mailbox, which is nobody in particular: name one person who will act,"
            f" such as {example!r}"
        )
    return ""
