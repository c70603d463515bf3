"""Choosing the sentence of a passage that best answers the question, and scoring it.

Each sentence is scored by the share of the question's term weight (inverse document frequency:
names and rare words count most) that it holds, plus a smaller share (bigram_weight) for the
question's word pairs that stand side by side in it too (word order as a cheap proximity signal).
The sentence with the highest score is highlighted; ties go to the earlier sentence. The same
score re-ranks the best hybrid passages (qa/retrieval/rerank.py).

A word's weight also depends on its own article (article_factor): a word found in every
passage of an article (its subject, "Super Bowl" in an article on the Super Bowl) says which
article but not which passage, so within that article it counts for less than a word only one
passage holds. The weights (bigram_weight, the article share) are in qa/settings.py.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple

from qa.retrieval.answer_types import (MARKED_ONLY, PERSON, REACTION, SAID, Measure, Phrase, attribution, fits,
                                       is_quotation, phrases, quoted_spans, said_by, spoke, unit_end)
from qa.index.text import ANALYZER, STOP_WORDS, stem_of, tokenize, word_spans


class Parts(NamedTuple):
    """What the chosen sentence's score is made of, each as added to it (the re-rank weighs them
    anew, qa/retrieval/rerank.py): its word match, the context (the sentence before and the title)
    added, the share of the question's weight only the title holds (not added to the score: the
    re-rank's own), the sentence-vector score added and the type bonus added."""

    match: float = 0.0
    context: float = 0.0
    title: float = 0.0
    dense: float = 0.0
    typed: float = 0.0


class SentenceScore(NamedTuple):
    """The chosen sentence of a passage: its span relative to the passage text, its score (what
    chose it, and what re-ranks the passage), the best plain word-match score of any of its
    sentences (what the answered rule reads), and the answer phrase inside it (relative to the
    passage text; None: no phrase of the type the question asks for)."""

    start: int
    end: int
    score: float
    match: float = 0.0
    answer: tuple[int, int] | None = None
    words: frozenset[str] = frozenset()  # the chosen sentence's terms (what another story's answer is looked up in)
    answer_terms: frozenset[str] = frozenset()  # the answer phrase's tokens (tokenized once, here)
    parts: Parts = Parts()  # what `score` is made of (the chosen sentence's)
    found: tuple[Phrase, ...] = ()  # the chosen sentence's phrases while its answer is left for later (with_answer)


class Choice(NamedTuple):
    """What the choice of a passage's sentence weighs besides its score (the score the re-rank reads
    is left as it is): `answer` added for a phrase of the asked type that is of what the question
    counts, `first` for the passage's first sentence, `heading` for a line no stop ends (a headline).
    Fitted together on the tuning half's first passages (benchmarks/learn_sentence.py,
    RetrievalSettings.choice_*)."""

    answer: float = 0.0
    first: float = 0.0
    heading: float = 0.0


class AnswerEvidence(NamedTuple):
    """What a sentence is weighed with besides the question's words: the phrase type the question
    asks for (qa/retrieval/answer_types.py; None: any), its stems (a phrase must add a word to them), the
    title's stems, and the weights (qa/settings.py)."""

    kind: str | None
    asked: frozenset[str]
    title: frozenset[str]
    type_weight: float
    context_weight: float
    follow: int = 0
    follow_share: float = 0.0
    proximity: float = 0.0  # the answer phrase's nearness to each question word, beside sharing its clause
    agent: bool = False  # the question asks who did something (answer_types.asks_agent)
    measure: Measure | None = None  # what a "how many / how much" question counts (answer_types.asked_measure)
    own: tuple[tuple[str, ...], ...] = ()  # the question's own people, no answer to "who" (answer_types.own_names)
    before: frozenset[str] = frozenset()  # the terms of the text before the passage (a lead the last passage ended on)
    anaphor_weight: float | None = None  # context_weight of a sentence that opens by referring back ("It", "They"); None: context_weight
    #: the stems of the roles a "who" question asks who holds (answer_types.asked_role, role_verbs.verb_roles)
    roles: frozenset[str] = frozenset()
    role_weight: float = 0.0  # a sentence where one of `roles` stands before its name, beside type_weight
    choice: Choice = Choice()  # what the choice weighs besides the score (learned; zeros: the score alone)
    speech: str = ""  # the stem of the verb a "who said <the words>" question asks who did (answer_types.asked_speech)
    speaker: frozenset[str] = frozenset()  # the terms of who a "what did X say" question asks the words of (answer_types.asked_speaker)


def article_factor(passages: int, holding: int, share: float) -> float:
    """How much of a word's weight it keeps in an article of `passages` passages of which
    `holding` hold it: 1 when one passage holds it (or the article has one passage), down to
    1 - share as every passage does. The rarity is BM25's IDF within the article, divided by its
    value for a word held once."""
    if passages <= 1 or holding <= 1:
        return 1.0
    rarity = math.log1p((passages - holding + 0.5) / (holding + 0.5)) / math.log1p((passages - 0.5) / 1.5)
    return 1.0 - share + share * rarity


class _Sentence(NamedTuple):
    start: int
    end: int
    match: float  # the plain word match: terms and word pairs
    score: float  # with the context (the type bonus is added by _typed_choice)
    tokens: Sequence[str]  # its terms (a set made for the chosen sentence only)


#: what ends a sentence of prose, closing quotes and brackets included
_STOPS = frozenset(".!?…\"'”’)]:;")


def scored_best_sentence(passage_text: str, query_tokens: list[str], weight: Callable[[str], float],
                         total_weight: float, bigram_weight: float,
                         aliases: Mapping[str, str] | None = None,
                         evidence: AnswerEvidence | None = None,
                         dense: Sequence[float] | None = None, answer: bool = True) -> SentenceScore:
    """The best sentence: the share of total_weight its question terms carry, plus
    bigram_weight x the share of the question's term pairs it holds side by side. aliases: other
    spellings of the question's names (stem -> the name's stem), counted as the name. With
    `evidence`: plus context_weight x the weight its question terms lack that the sentence before
    or the title holds (a sentence that adds the answer need not repeat the subject; anaphor_weight
    x it for a sentence opening with "It", "They" ..., which reads too what the sentence before read
    as its context when that one referred back as well: "X was ... . It showed ... . It was later
    renamed Y."), plus
    type_weight when it holds a phrase of the type asked for; and when the best holds none and
    opens its paragraph (a lead repeating the question), the next sentence (up to
    evidence.follow) that does, if it scores at least follow_share of it. `dense`: a score added to
    each sentence's (the analyzer's sentences in order; benchmarks/sentence_vectors.py adds a weight
    x the question's cosine with a sentence vector); None: the words alone. `answer` False: the
    answer phrase is left for `with_answer` (a passage the re-rank may leave unshown needs none)."""
    scored = _scored(passage_text, query_tokens, weight, total_weight, bigram_weight, aliases, evidence, dense)
    if not scored:
        return SentenceScore(0, len(passage_text), 0.0)
    weighed = None  # the sentence a passage is weighed by, when not the one shown
    if evidence is None or not evidence.kind or evidence.kind in MARKED_ONLY:
        lay = _layout_terms(passage_text, scored, evidence.choice) if evidence is not None else None
        at = max(range(len(scored)), key=lambda i: (scored[i].score + (lay[i] if lay else 0.0), -i))
        if evidence is not None and not evidence.kind:
            at = _past_headline(passage_text, scored, at, evidence.follow_share, query_tokens)
        found: list[Phrase] = [] if evidence is None or not evidence.kind else \
            phrases(passage_text[scored[at].start:scored[at].end], evidence.kind, evidence.asked, evidence.own)
        if evidence is not None and evidence.kind in (SAID, REACTION):
            if evidence.kind == SAID or not found:  # "rejected Mr Howard's comment" is how they responded
                weighed = at
                at, found = _own_words_after(passage_text, scored, at, found, evidence)
            if not found:
                at, found = _quotation_after(passage_text, scored, at, evidence)
    else:
        at, found = _typed_choice(passage_text, scored, evidence)
    best = scored[at]
    # a passage whose report of the speaker led to their own words a sentence on is weighed by the report
    at_weighed = weighed if weighed is not None and weighed != at and found else at
    weighs = scored[at_weighed]
    counted = evidence is not None and evidence.kind not in MARKED_ONLY  # a name's mark weighs nothing
    typed = evidence.type_weight + _role_bonus(passage_text[best.start:best.end], found, evidence) \
        if found and counted else 0.0
    added = float(dense[at_weighed]) if dense is not None and at_weighed < len(dense) else 0.0
    title = _title_share(scored, at_weighed, query_tokens, weight, total_weight, evidence)
    parts = Parts(weighs.match, weighs.score - weighs.match - added, title, added, typed)
    chosen = SentenceScore(best.start, best.end, weighs.score + typed, max(s.match for s in scored), None,
                           frozenset(best.tokens), frozenset(), parts, tuple(found) if evidence is not None else ())
    return with_answer(passage_text, chosen, query_tokens, weight, evidence) if answer else chosen


def with_answer(passage_text: str, chosen: SentenceScore, query_tokens: list[str], weight: Callable[[str], float],
                evidence: AnswerEvidence | None) -> SentenceScore:
    """The chosen sentence with its answer phrase (what scored_best_sentence left for later) and
    the phrase's terms; the same when it has none to look for."""
    if evidence is None or not (chosen.found or evidence.speech):
        return chosen
    answer = _answer_phrase(passage_text[chosen.start:chosen.end], chosen.start, list(chosen.found), set(query_tokens),
                            weight, evidence.proximity, evidence.agent, evidence.measure, _object_verbs(evidence.own),
                            evidence.roles, evidence.speech) if chosen.found else None
    if answer is None and evidence.speech:
        around = _speaker_around(passage_text, chosen.start, chosen.end, evidence)
        if around is not None:
            (start, end), answer = around
            chosen = chosen._replace(start=start, end=end)
    counted = evidence.kind not in MARKED_ONLY
    terms = frozenset(tokenize(passage_text[answer[0]:answer[1]])) if answer and counted else frozenset()
    return chosen._replace(answer=answer, answer_terms=terms, found=())


def _speaker_around(text: str, start: int, end: int,
                    evidence: AnswerEvidence) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """"Who said <the words>": the chosen sentence holds them but not who said them. A quotation
    running on names its speaker where it ends, a sentence or two on ('"We will fight tooth and
    nail ... . We do not want him ...," said Mark Longden'); one given to "he", or alone, was
    introduced by a sentence or two before ("Vince Cable warned ... . "...," he said."). The
    speaker found so (answer_types.spoke), and the span from their sentence to the chosen one (the
    highlight: who, and the words); None: none found."""
    spans = ANALYZER.analyse(text).spans
    i = next((n for n, (a, _) in enumerate(spans) if a == start), None)
    how = attribution(text[start:end]) if i is not None else ""
    if not how:
        return None
    order = range(i + 1, min(i + 3, len(spans))) if how == "runs on" else range(i - 1, max(i - 3, -1), -1)
    for j in order:
        a, b = spans[j]
        sentence = text[a:b]
        inside = quoted_spans(sentence)
        names = [p for p in phrases(sentence, PERSON, evidence.asked, evidence.own)
                 if not any(x <= p.start < y for x, y in inside) and spoke(sentence, p)]
        if names:
            return (min(a, start), max(b, end)), (a + names[0].start, a + names[0].end)
        if how == "runs on" and attribution(sentence) != "runs on" and inside:
            return None  # the quotation closed without naming them
        if how != "runs on" and attribution(sentence) not in ("he", "none"):
            return None  # not the same speaker's words going back
    return None


def _past_headline(text: str, scored: list[_Sentence], at: int, share: float, query: Sequence[str]) -> int:
    """For a query that asks no type: a headline that holds its words ("umbro profit 2004":
    "Umbro profits lifted by Euro 2004") yields to the story's best sentence holding them, scoring
    at least `share` of it ("... posted a 222% rise in annual profit"): the headline is the card's
    title already. A headline the query holds whole (pasted) stays highlighted."""
    best = scored[at]
    if not is_heading(text, best.start, best.end) or set(best.tokens) <= set(query):
        return at
    body = [j for j, s in enumerate(scored) if j != at and s.match > 0 and s.score >= share * best.score]
    return max(body, key=lambda j: (scored[j].score, -j)) if body else at


def _own_words_after(text: str, scored: list[_Sentence], at: int, found: list[Phrase],
                     evidence: AnswerEvidence) -> tuple[int, list[Phrase]]:
    """"What did X say?": a sentence that reports X in the writer's words ("Mike Caudwell said that
    when phones were launched ...", "Max Jones believes it is likely ...") or names X beside another's
    words yields to one of the next two that gives X's own, a quotation (what a reporter copies):
    '"Despite that they were hugely popular," he said.', '..., said O'Sullivan.', 'Blume said: "...'
    (answer_types.said_by). A sentence holding a quotation already stays, and so does one whose
    next quotation is another's."""
    sentence = text[scored[at].start:scored[at].end]
    if not evidence.speaker or any(is_quotation(sentence, p) for p in found):
        return at, found
    named = (not evidence.speaker.isdisjoint(t.replace("'", "").replace("’", "") for t in scored[at].tokens)
             or attribution(sentence) == "he" or _HE_SAID.match(sentence) is not None)  # "he" is "he" a sentence on
    for j in range(at + 1, min(at + 3, len(scored))):
        following = text[scored[j].start:scored[j].end]
        words = said_by(following, evidence.speaker, named, j == at + 1 and bool(found))
        if words:
            return j, words
        if quoted_spans(following):
            break  # another's words, or words no one is given: not theirs
    return at, found


def _quotation_after(text: str, scored: list[_Sentence], at: int,
                     evidence: AnswerEvidence) -> tuple[int, list[Phrase]]:
    """"What did X say?": a sentence that names the speaker without their words ("Graham Barlow,
    editor of Mac Format, has a rather partisan viewpoint.") yields to the next when that one opens
    a quotation (the words follow the one who says them); else it stays, marking nothing."""
    if at + 1 < len(scored) and _OPENS_QUOTE.match(text, scored[at + 1].start):
        found = phrases(text[scored[at + 1].start:scored[at + 1].end], evidence.kind, evidence.asked, evidence.own)
        if found:
            return at + 1, found
    return at, []


def _title_share(scored: list[_Sentence], at: int, query_tokens: list[str], weight: Callable[[str], float],
                 total_weight: float, evidence: AnswerEvidence | None) -> float:
    """The share of the question's weight that the title holds and neither the sentence at `at` nor
    the one before it does (the passage is on the asked subject though the sentence does not say it)."""
    if evidence is None or not total_weight or evidence.title.isdisjoint(query_tokens):
        return 0.0
    left = (evidence.title & set(query_tokens)).difference(scored[at].tokens, scored[at - 1].tokens if at else ())
    return sum(weight(t) for t in left) / total_weight


def _typed_choice(text: str, scored: list[_Sentence], evidence: AnswerEvidence) -> tuple[int, list[Phrase]]:
    """The sentence chosen with the type bonus, and its phrases. Phrases are looked for only in
    the sentences the bonus could make best (and the one a lead yields to): most sentences of a
    passage score too low for it to matter, and the look-up is the costly part. A lead whose only
    amounts are not of what the question counts ("Half of the money ..." for "how much money")
    yields as one without a phrase does, to the next sentence holding one that is ("24.2 trillion
    pesos")."""
    found: dict[int, list[Phrase]] = {}
    choice = evidence.choice
    lay = _layout_terms(text, scored, choice) or [0.0] * len(scored)

    def phrases_of(i: int) -> list[Phrase]:
        if i not in found:
            sentence = text[scored[i].start:scored[i].end]
            found[i] = phrases(sentence, evidence.kind, evidence.asked, evidence.own)
            if evidence.measure is not None and evidence.measure.strict:  # "how old": "After 18 years" holds no age
                found[i] = [p for p in found[i] if fits(sentence, p, evidence.measure)]
        return found[i]

    def answers(i: int) -> bool:  # a phrase of the type, and of what a "how many / much <noun>" question counts
        sentence, measure = text[scored[i].start:scored[i].end], evidence.measure
        return any(measure is None or not measure.units or fits(sentence, p, measure) for p in phrases_of(i))

    def total(i: int) -> float:  # what the choice weighs: the score, the type and role bonuses, the learned terms
        held = phrases_of(i)
        if not held:
            return base[i]
        return base[i] + evidence.type_weight + _role_bonus(text[scored[i].start:scored[i].end], held, evidence) + \
            (choice.answer * answers(i) if choice.answer else 0.0)

    base = [s.score + lay[i] for i, s in enumerate(scored)]
    # the most a phrase can add
    most = evidence.type_weight + max(choice.answer, 0.0) + (evidence.role_weight if evidence.roles else 0.0)
    floor = max(base) - most - 1e-9
    # (total, -index) of the best so far, ties going to the earlier sentence: none above the floor
    # (a negative bonus) leaves the best score without a bonus
    at = max(range(len(scored)), key=lambda i: (base[i], -i))
    best = (base[at], -at) if base[at] < floor else (-math.inf, 0)
    # highest score first: a sentence that could not pass the best even with the bonus is not
    # looked in for phrases (below the floor none can)
    for i in sorted((i for i in range(len(scored)) if base[i] >= floor), key=lambda i: (-base[i], i)):
        if (base[i] + most, -i) > best and (key := (total(i), -i)) > best:
            best, at = key, i
    if not phrases_of(at) and is_heading(text, scored[at].start, scored[at].end):
        # a headline or a Markdown heading repeats the question's words without the answer: the
        # sentence of the passage that holds the question's words and a phrase of the type asked
        held = [j for j, s in enumerate(scored) if j != at and s.match > 0 and phrases_of(j)
                and total(j) >= evidence.follow_share * best[0]]
        if held:
            at = max(held, key=lambda j: (total(j), -j))
            return at, phrases_of(at)
    if opens_paragraph(text, scored[at].start) and not answers(at):
        at = next((j for j in range(at + 1, min(at + 1 + evidence.follow, len(scored)))
                   if answers(j) and total(j) >= evidence.follow_share * best[0]), at)
    elif not phrases_of(at) and at + 1 < len(scored) and _GOES_ON.match(text, scored[at + 1].start) \
            and phrases_of(at + 1) and total(at + 1) >= evidence.follow_share * best[0]:
        at += 1  # "... for Steve Backley, who retired." "The battling 35-year-old leaves ...": the same subject
    if not phrases_of(at) and evidence.measure is not None and evidence.measure.age:
        at = _age_after(text, scored, at, phrases_of, evidence.asked)
    return at, phrases_of(at)


def sentence_scores(passage_text: str, query_tokens: list[str], weight: Callable[[str], float], total_weight: float,
                    bigram_weight: float, aliases: Mapping[str, str] | None = None,
                    evidence: AnswerEvidence | None = None, dense: Sequence[float] | None = None) -> list[_Sentence]:
    """Each sentence of the passage as the choice scores it (span, word match, score with the
    context and `dense`, tokens), before the type bonus and the rules: what
    benchmarks/learn_sentence.py fits the choice's terms on."""
    return _scored(passage_text, query_tokens, weight, total_weight, bigram_weight, aliases, evidence, dense)


def refers_back(text: str, start: int) -> bool:
    """Whether the sentence at `start` opens by referring back ("It", "They", "This" ...)."""
    return _REFERS.match(text, start) is not None


def opens_quote(text: str, start: int) -> bool:
    """Whether the sentence at `start` opens with a quotation mark."""
    return _OPENS_QUOTE.match(text, start) is not None


def _layout_terms(text: str, scored: list[_Sentence], choice: Choice) -> list[float] | None:
    """Each sentence's learned layout terms (Choice.first for the passage's first, Choice.heading for a
    headline); None when both weigh nothing."""
    if not (choice.first or choice.heading):
        return None
    out = [0.0] * len(scored)
    out[0] += choice.first
    if choice.heading:
        for i, s in enumerate(scored):  # most sentences end with a stop: no heading, nothing sliced
            if 0 < s.end <= len(text) and text[s.end - 1] not in _STOPS and is_heading(text, s.start, s.end):
                out[i] += choice.heading
    return out


def _age_after(text: str, scored: list[_Sentence], at: int, phrases_of: Callable[[int], list[Phrase]],
               asked: frozenset[str]) -> int:
    """"How old is X": a sentence naming X says no age. The passage's sentence that writes the age
    after a name the question holds ("Mr Hague, 43, told ...", "Anil, 45, has stepped down": news
    names a person in full once, then by one name with the age), else one of the next three that
    says "the 39-year-old" ("The 39-year-old was educated at ...", "said the 74-year-old
    comedian"): that one; else `at`."""
    for j in range(len(scored)):
        sentence = text[scored[j].start:scored[j].end]
        if j != at and any((name := _NAMED_AGE.search(sentence, max(0, p.start - 40), p.start)) is not None
                           and _folded_stem(name.group(1)) in asked for p in phrases_of(j)):
            return j
    return next((j for j in range(at + 1, min(at + 4, len(scored)))
                 if _AGE_OPENS.search(text, scored[j].start, scored[j].end) and phrases_of(j)), at)


def is_heading(text: str, start: int, end: int) -> bool:
    """True when the sentence at start:end is a line of its own that no stop ends: a headline, a
    Markdown heading ("## The numbers"), not a sentence of the story."""
    line_end = text.find("\n", end)
    rest = text[end:line_end if line_end >= 0 else len(text)]
    # a span past the text's end (stored spans of a passage whose text was damaged: the citation
    # check says so later) is no heading, not an IndexError
    return (opens_paragraph(text, start) and not rest.strip() and 0 < end <= len(text)
            and text[end - 1] not in _STOPS)


def opens_paragraph(text: str, start: int) -> bool:
    """True when the sentence at `start` is the first of its paragraph (a lead)."""
    return text[:start].rstrip(" \t").endswith("\n") or not text[:start].strip()


def _scored(passage_text: str, query_tokens: list[str], weight: Callable[[str], float], total_weight: float,
            bigram_weight: float, aliases: Mapping[str, str] | None,
            evidence: AnswerEvidence | None, dense: Sequence[float] | None = None) -> list[_Sentence]:
    wanted = set(query_tokens)
    pairs = set(zip(query_tokens, query_tokens[1:]))
    share = (lambda held: sum(map(weight, held)) / total_weight) if total_weight else (lambda held: 0.0)
    out, lone = [], None  # lone: the context of a sentence without the question's words after another
    titled = evidence is not None and not wanted.isdisjoint(evidence.title)
    # the first sentence's context: what the text before the passage holds of the question (the lead it follows)
    before = wanted & evidence.before if evidence is not None else frozenset()
    analysis = ANALYZER.analyse(passage_text)  # cached: a passage's sentences are tokenized once a process
    for (start, end), tokens in zip(analysis.spans, analysis.sentence_tokens):
        if aliases and not aliases.keys().isdisjoint(tokens):
            tokens = [aliases.get(t, t) for t in tokens]
        held = wanted.intersection(tokens)
        # a sentence without the question's words has no share and no pair of them: its sums
        # are skipped, not added as zeros (the same scores, most sentences being such)
        match = share(held) if held else 0.0
        if pairs and held:
            match += bigram_weight * len(pairs.intersection(zip(tokens, tokens[1:]))) / len(pairs)
        score = match
        if evidence is not None:
            refers = evidence.anaphor_weight is not None and _REFERS.match(passage_text, start) is not None
            factor = evidence.anaphor_weight if refers else evidence.context_weight
            if not (before or held) and titled and not refers:  # the title's share alone: the same for each such sentence
                if lone is None:
                    lone = factor * share((wanted & (before | evidence.title)) - held)
                score += lone
            elif before or titled:
                score += factor * share((wanted & (before | evidence.title)) - held)
            before = held | before if refers else held
        if dense is not None and len(out) < len(dense):
            score += float(dense[len(out)])
        out.append(_Sentence(start, end, match, score, tokens))
    return out


def _object_verbs(own: Sequence[tuple[str, ...]]) -> frozenset[str]:
    """The words that may be the verb of a "who did X beat" question: each last word of the
    subjects answer_types.own_names reads it as ("slovakia beat": beat)."""
    return frozenset(words[-1] for words in own if len(words) > 1)


def _after_verb(sentence: str, start: int, verbs: frozenset[str]) -> re.Match[str] | None:
    """The question's verb, in lower case, among the five words before a phrase (its object):
    a match whose group 1 is the verb, as _AGENT's is, or None."""
    before = _BEFORE_OBJECT.search(sentence, max(0, start - 50), start)
    if before is None:
        return None
    return next((w for w in _LOWER_WORD.finditer(sentence, before.start(), start)
                 if stem_of(w.group(1)) in verbs), None)


def _answer_phrase(sentence: str, offset: int, found: list[Phrase], wanted: set[str],
                   weight: Callable[[str], float], proximity: float, agent: bool,
                   measure: Measure | None = None, verbs: frozenset[str] = frozenset(),
                   roles: frozenset[str] = frozenset(), speech: str = "") -> tuple[int, int] | None:
    """The phrase that shares a clause with the most question weight (its first when the sentence
    holds no question word), in passage coordinates (the sentence starts at `offset`). Each
    question word counts once, with its weight, for a phrase in its clause (no comma, semicolon,
    bracket, "and", "but", "while", "who", "which" between them), plus `proximity` x its weight
    / (1 + words between / 4): "Newton was picked first in 2011" holds the answer to "when was
    Newton first picked", though "the 1998 NFL draft" is nearer "draft". `agent`: the question
    asks who did something, so a name after "<question's verb> by" ("tackled by Darian
    Stewart") counts as holding the question's heaviest word besides. `measure`: what a "how
    many / how much" question counts; only the amounts most surely of it are weighed ("250
    screens" for "How many screens", not "150 cinemas" nearer the question's other words). `verbs`:
    a "who did X beat" question's verb, so a name after it ("after beating Group B rivals the
    Netherlands") counts as holding the heaviest word besides, as an agent does. `roles`: the stems of
    the roles a "which centre / who is the band's bass player / who runs ebay" question asks who holds,
    so a name a role stands before ("Wales centre Sonny Parker") counts as holding the heaviest word besides.
    `speech`: the verb a "who said <the words>" question asks who did (_speakers)."""
    if speech and not (found := _speakers(sentence, found)):
        return None
    if measure is not None and measure.change:  # "fall 9% last year to £6.2bn": by 9%; "to £6.2bn" says to what
        found = [p for p in found if not _LEVEL.search(sentence, max(0, p.start - 16), p.start)] or found
    if measure is not None:  # only the amounts most surely of what the question counts
        fit = [fits(sentence, p, measure) for p in found]
        found = [p for p, f in zip(found, fit) if f == max(fit)]
        if measure.strict and not max(fit):
            return None  # "how old": "four-time champion" holds no age; "how long": "two new contests" no time
        found = found if measure.calendar else _not_from(sentence, found, wanted)
    words = _word_stems(sentence)
    at = [(i, stem) for i, (_, _, stem) in enumerate(words) if stem in wanted]
    if not at:
        end = unit_end(sentence, found[0], measure) if measure is not None else None
        return offset + found[0].start, offset + (end or found[0].end)
    heaviest = max(weight(stem) for _, stem in at)
    clause, starts, ends = _layout(sentence)
    places: dict[str, list[int]] = {}
    for i, stem in at:
        places.setdefault(stem, []).append(i)

    def score(phrase: Phrase) -> float:  # looked up, not scanned: a table of 800 amounts took seconds
        first = min(bisect.bisect_right(ends, phrase.start), len(words) - 1)
        reach = _apposition_end(sentence, phrase)  # "Robert Benmosche, Metlife's chief executive,": one phrase
        last = bisect.bisect_left(starts, reach) - 1 if starts[0] < reach else first
        near: dict[str, float] = {}
        for i, stem in (at if last < first or proximity < 0 else _nearest(places, first, last)):
            together = clause[i] == clause[first] if i < first else clause[i] == clause[last] if i > last else True
            near[stem] = max(near.get(stem, 0.0), together + proximity / (1.0 + max(first - i, i - last, 0) / 4))
        by = (_AGENT.search(sentence, max(0, phrase.start - 40), phrase.start) or _SUBJECT.match(sentence, phrase.end)
              if agent else _PASSIVE_SUBJECT.match(sentence, phrase.end)
              or (_after_verb(sentence, phrase.start, verbs) if verbs else None))
        return sum(weight(stem) * v for stem, v in near.items()) + \
            (heaviest if by and stem_of(by.group(1).casefold()) in wanted else 0.0) + \
            (heaviest if roles and _holds_role(sentence, phrase, roles, wanted) else 0.0)

    phrase = max(found, key=lambda p: (score(p), -p.start))
    end = unit_end(sentence, phrase, measure) if measure is not None else None  # "200 new jobs", whole
    return offset + phrase.start, offset + (end or phrase.end)


def _speakers(sentence: str, found: list[Phrase]) -> list[Phrase]:
    """For "who said <the words>": a name inside the quotation is what was said, not who said it
    (none left: no phrase), and a name that says it ("Simon Gale said", "said Acme's Robin Tell",
    answer_types.spoke) is marked before any other."""
    inside = quoted_spans(sentence)
    found = [p for p in found if not any(a <= p.start < b for a, b in inside)]
    return [p for p in found if spoke(sentence, p)] or found


def _role_bonus(sentence: str, found: Sequence[Phrase], evidence: AnswerEvidence) -> float:
    """evidence.role_weight when one of the asked roles stands before a name the sentence holds
    ("IMF boss Rodrigo Rato" for "who heads the imf"), else 0."""
    if not evidence.role_weight or not evidence.roles:
        return 0.0
    return evidence.role_weight if any(_holds_role(sentence, p, evidence.roles, evidence.asked) for p in found) else 0.0


def _holds_role(sentence: str, phrase: Phrase, roles: frozenset[str], asked: Collection[str]) -> bool:
    """Whether the word before the name at `phrase` is one of the roles (stems): "bass player Mike Mills",
    "Spokesman Alan Jones", "Wales centre Sonny Parker", "chief executive Meg Whitman"; not a deputy's
    ("vice president") nor the role of a body the question (`asked`: its stems) does not name."""
    if not sentence[phrase.start:phrase.start + 1].isupper():
        return False
    before = _WORD_BEFORE.search(sentence, max(0, phrase.start - 30), phrase.start)
    if before is None or _folded_stem(before.group(1)) not in roles:
        return False
    under = _WORD_BEFORE.search(sentence, max(0, before.start() - 24), before.start())
    if under is None:
        return True
    word = under.group(1)
    if word.casefold() in _UNDER:
        return False  # "vice president Mike Nash": not the head
    # "Ireland coach Eddie O'Sullivan" for "who coaches italy": another body's
    return not word[:1].isupper() or _folded_stem(word) in asked or word.casefold() in STOP_WORDS


def _apposition_end(sentence: str, phrase: Phrase) -> int:
    """Where a name's apposition ends (", Metlife's chairman and chief executive," after "Robert
    Benmosche"): the words between the two commas say who the name is, so a question's words there
    are the name's own ("who is metlife's chief executive"); the phrase's end where none follows. An
    apposition opens with a lower-case word or an owner ("Metlife's") and holds a lower-case word
    besides an article."""
    if not sentence[phrase.start:phrase.start + 1].isupper():
        return phrase.end
    found = _APPOSED.match(sentence, phrase.end)
    words = found.group(1).split() if found is not None else []
    if not words or any(w.casefold() in _NOT_APPOSED or w.endswith("ed") for w in words) \
            or not (words[0].islower() or words[0].endswith(("'s", "’s"))) \
            or all(w in ("a", "an", "the") or not w.islower() for w in words):
        return phrase.end  # a list's next item ("Samuel Marsden School in Wellington"), another name ("the MetroCentre")
    return found.end(1)


def _not_from(sentence: str, found: list[Phrase], wanted: set[str]) -> list[Phrase]:
    """The amounts but a change's first value: "cut its stake from 70% to 49%" holds the stake
    now (49%); "from 70%" is what it was, which a question asks with the year it was so."""
    if any(_YEAR_WORD.fullmatch(w) for w in wanted):
        return found  # "what percentage attended in 1992": "from 6.1% (in 1992) to 7.8%"
    ends = {p.start for p in found}
    kept = [p for p in found if not (_FROM.search(sentence, max(0, p.start - 6), p.start)
                                     and (to := _TO.match(sentence, p.end)) is not None and to.end() in ends)]
    return kept or found


def answer_clause(text: str, sentence: tuple[int, int], phrase: tuple[int, int]) -> tuple[int, int]:
    """The bounds of the phrase's clause in the sentence (offsets into `text`): from the last
    clause break before it to the first after (a mark, "and", "but", "who", "when" ...)."""
    start, end = sentence
    before = [m.end() for m in _BREAKS.finditer(text, start, phrase[0])]
    after = _BREAKS.search(text, phrase[1], end)
    return before[-1] if before else start, after.start() if after else end


def first_clause(text: str, sentence: tuple[int, int]) -> tuple[int, int]:
    """The bounds of the sentence's first clause (its subject, mostly)."""
    after = _BREAKS.search(text, *sentence)
    return sentence[0], after.start() if after else sentence[1]


def _nearest(places: dict[str, list[int]], first: int, last: int) -> list[tuple[int, str]]:
    """Of each question stem's places (word numbers, in order), those that can count most for a
    phrase over words first..last: the last before it, one inside, the first after (a nearer
    word counts more, and clauses follow each other, so no farther one shares the phrase's clause
    where the nearest does not)."""
    out = []
    for stem, held in places.items():
        lo, hi = bisect.bisect_left(held, first), bisect.bisect_right(held, last)
        out.extend((i, stem) for i in held[max(lo - 1, 0):lo] + held[lo:min(hi, lo + 1)] + held[hi:hi + 1])
    return out


#: a sentence that goes on about the one before's subject: a pronoun, or "The <words> N-year-old"
_GOES_ON = re.compile(r"(?:He|She|They|His|Her|Their)\b|The (?:[\w-]+ ){0,2}\d+-year-old\b")
#: a sentence that opens by referring back to the one before's subject ("It was renamed ...", "They won
#: ..."): it says what the sentence before named, so its words count as its own context (anaphor_weight)
_REFERS = re.compile(r"(?:It|He|She|They|This|These|That|Those|Its|His|Her|Their|Such)\b")
#: a sentence that reports what "he" or "she" said: "And he said that ..."
_HE_SAID = re.compile(r"(?:And |But )?(?:he|she|He|She) (?:also )?(?:said|says|told|added|insisted|argued)\b")
#: a sentence that opens with a quotation mark
_OPENS_QUOTE = re.compile(r"[\"“]")
#: what ends a clause between a question word and a phrase (_answer_phrase): a mark between two
#: words, or a word that opens another clause
_CLAUSE_BREAK = re.compile(r"[,;:()]")
_CLAUSE_WORDS = frozenset(("and", "but", "while", "whereas", "who", "which"))
#: the same, and the words that open a subordinate clause ("... became chancellor when Labour returned")
_BREAKS = re.compile(r"[,;:()]|\b(?:and|but|while|whereas|who|which|when|because|although|though|if|unless|"
                     r"until)\b", re.IGNORECASE)
#: a name's apposition: ", <up to eight words>," (no verb among them: _NOT_APPOSED)
_APPOSED = re.compile(r",\s+((?:[\w'’&.-]+\s+){0,7}[\w'’&.-]+),")
_NOT_APPOSED = frozenset("""said says say told is was are were has have had will would could can who which that
    when where while but if because although after before since""".split())
#: a sentence that opens with the subject's age: "The 39-year-old was educated at ..."
_AGE_OPENS = re.compile(r"\b[Tt]he (?:[\w-]+ ){0,2}\d+-year-old\b")
#: an age in a name's apposition: "Mr Hague, " before "43,"
_NAMED_AGE = re.compile(r"\b([A-Z][\w'’-]*),\s+$")
#: a level a change starts from or reaches: "from £190,329", "to about £6.2bn"
_LEVEL = re.compile(r"\b(?:to|from)\s+(?:about\s+|around\s+|nearly\s+|almost\s+|just\s+)?$")
#: a change's first value and its last: "from 70% to 49%"
_FROM = re.compile(r"\bfrom\s+$")
_YEAR_WORD = re.compile(r"(?:1[0-9]|20)\d\d")
_TO = re.compile(r"\s+to\s+")
#: a passive's agent: "<verb> by [the] [three words] <phrase>" ("headlined by the British rock group Coldplay")
_AGENT = re.compile(r"\b(\w+)\s+by\s+(?:the\s+)?(?:[A-Z][\w-]*\s+)?(?:[a-z][\w-]*\s+){0,2}$")


#: a word before a role that makes it another office than the one asked about
_UNDER = frozenset("vice deputy assistant associate former ex".split())
#: the word before a name: its role, when one ("bass player Mike Mills", "Spokesman Alan Jones")
_WORD_BEFORE = re.compile(r"\b([A-Za-z][\w-]*)\s+$")
#: the words before a verb's object, back to a clause's mark: "beating Group B rivals the Netherlands"
_BEFORE_OBJECT = re.compile(r"(?:[\w'’-]+\s+){1,5}$")
_LOWER_WORD = re.compile(r"\b([a-z][a-z'’-]*)\b")
#: an active clause's subject: "<phrase> [will|has|once ...] <verb>" ("Robert Redford founded Sundance"), or a
#: relative clause's: "Brian O'Driscoll, who set up tries for ..." (who set them up)
_SUBJECT = re.compile(r"(?:,?\s+who)?\s+(?:(?:will|would|could|can|has|have|had|also|then|later|first|once|still|never|already|"
                      r"again|even|just|soon|[a-z]+ly)\s+){0,2}([a-z]\w*)")  # "Mao Zedong once argued", "X reportedly paid"
#: a passive clause's subject, what a question on who was done to asks for: "<phrase> is tipped / was named"
_PASSIVE_SUBJECT = re.compile(r"\s+(?:is|was|are|were|has been|have been|had been|will be)\s+(?:also\s+)?([a-z]\w*)")


@lru_cache(maxsize=16_384)
def _word_stems(sentence: str) -> tuple[tuple[int, int, str], ...]:
    """Each word of a sentence with its stem (cached: the chosen sentence of a passage is often
    chosen again by the next question on its story)."""
    return tuple([(m.start(), m.end(), _folded_stem(m.group())) for m in word_spans(sentence)])


@lru_cache(maxsize=200_000)
def _folded_stem(word: str) -> str:
    """A word's stem as written (one cached look-up a word, not a casefold and a look-up)."""
    return stem_of(word.casefold())


def _named_and(sentence: str, words: tuple[tuple[int, int, str], ...], at: int) -> bool:
    """Whether word `at` is an "and" inside a name ("Science and Environmental Policy Project",
    "Procter and Gamble"): capitalised words each side, so no clause break."""
    return (sentence[words[at][0]:words[at][1]] == "and" and 0 < at < len(words) - 1
            and sentence[words[at - 1][0]].isupper() and sentence[words[at + 1][0]].isupper())


@lru_cache(maxsize=16_384)
def _layout(sentence: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Each word's clause (how many breaks stand before it), start and end: what _answer_phrase
    reads of a sentence whatever the question (cached with _word_stems, not made per question)."""
    words = _word_stems(sentence)
    clause = [0]
    for n, ((_, end, _), (start, stop, _)) in enumerate(zip(words, words[1:])):
        clause.append(clause[-1] + bool(_CLAUSE_BREAK.search(sentence, end, start)
                                        or (sentence[start:stop].lower() in _CLAUSE_WORDS
                                            and not _named_and(sentence, words, n + 1))))
    return tuple(clause), tuple(s for s, _, _ in words), tuple(e for _, e, _ in words)
