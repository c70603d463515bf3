"""What kind of phrase a question asks for, and where a sentence holds one.

No tagger model: a question's wording says what it wants (who -> a name, when -> a date, how
many -> a number, where -> a place, why -> a cause), and in news text those phrases have a
surface form a regular expression finds: names are capitalised word runs, dates are years,
months, weekdays and relative days, amounts are digits or number words with their scale and
unit, causes open with "because", "due to", "after" ... A phrase counts only when the question
does not already name it: "Who chaired the meeting of Gulf ministers in Bahrain?" is not
answered by "Gulf" or "Bahrain", and a sentence repeating the question is not the one adding
what it lacks. Offsets are into the text given (exact, for the answer mark).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Sequence
from functools import lru_cache
from typing import NamedTuple

from qa.index.text import ANALYZER, STOP_WORDS, stem_of, tokenize, words as text_words

PERSON, DATE, NUMBER, PLACE, CAUSE, FATE = "person", "date", "number", "place", "cause", "fate"
#: "Where did Keska finish?": a placing ("seventh", "3rd"), not a place
RANK = "rank"
#: "Which city ...?": a place, which a sentence may name as its subject ("Santa Clara hosted ..."),
#: where "Where ...?" is answered by a name after a place preposition
PLACE_NAME = "place name"

#: "Who is Norbert Reithofer?": the question names the person and asks what they are: the role said
#: beside the name ("Norbert Reithofer, a member of the BMW management board"; "LSE chief executive
#: Clara Furse"); where no sentence names them so, a name, as for "who" ("Who is Safin's coach?")
ROLE = "role"
#: "What is the name of ...?", "What is the plan called?": a name, marked where the sentence holds
#: one, without weighing the sentence choice (a sentence holding any name is no likelier the
#: answer: BENCHMARKS.md "What is it called")
NAME = "name"
#: "What did Hopkins say about the campaign?": the words said, marked (a quotation, or the clause
#: a verb of saying reports: "said the compression was visually lossless")
SAID = "said"
#: "According to whom did film production fall?": who the sentence says gives it ("according to federal
#: regulators", "..., Screen Daily has said."; else a name), weighed in the sentence choice as a type is
SOURCE = "source"
#: "How did EADS respond to the announcement?", "What was the fans' reaction?": the words said, as for
#: SAID, else what they did: the verb of reacting and its object ("welcomed Mr Mandelson's announcement")
REACTION = "reaction"
#: the types whose phrase is marked in the sentence chosen without it, and counts for nothing else
MARKED_ONLY = frozenset({NAME, SAID, REACTION})
_SAYING = (r"(?:say|says|said|saying|tell|tells|told|claim|claims|claimed|argue|argues|argued|warn|warns|warned|"
           r"add|adds|added|announce|announced|reveal|revealed|admit|admitted|insist|insisted|explain|explained|"
           r"comment|commented|write|wrote|describe|described|think|thought|believe|believed|predict|predicted)")
_IS_WHO = re.compile(r"^\W*([\w'’.-]++(?:\s+[\w'’.-]++){0,3})\s+(?:is|was|'s|’s)\s+who\W*$", re.I)  # the wh-word last
_WHO_IS = re.compile(r"^\W*who\s+(?:is|was|'s|’s)\s+([\w'’.-]++(?:\s+[\w'’.-]++){0,3})\W*$", re.I)  # words never given back to \W*

# "what was the division's budget", "what is the fine": a sum of money by its name
_PRICED = (r"(?:(?:the|its|his|her|their)\s+)?(?:[\w'’-]+\s+){0,3}?(?:budget|cost|price|salary|fee|fine|"
           r"revenue|turnover|profit|bill|debt|pay|wage|worth)s?\b(?:\s+(?:of|for|in)\s+[^?]*)?")
# "what was japan's growth in the first quarter", "what is colombia's population", "what growth does
# india forecast": a figure by its name; the shares among them ask for a rate ("6.3%", not "$17bn")
_SHARE_NOUNS = "growth|rate|inflation|unemployment|margin|stake|turnout"
_FIGURE_NOUNS = rf"{_SHARE_NOUNS}|population|estimate|figure|total|attendance|capacity|valuation|deficit|surplus|output"
_FIGURED = (rf"(?:(?:the|its|his|her|their)\s+)?(?:[\w'’-]+\s+){{0,3}}?(?:{_FIGURE_NOUNS})s?\b"
            r"(?:\s+(?:of|for|in|at|on|over|during|this|last)\s+[^?]*)?")
_SHARE_WORD = re.compile(rf"\b(?:{_SHARE_NOUNS})s?\b", re.I)
_FIGURE_QUESTION = re.compile(rf"^\W*what (?:is|was|were|are) {_FIGURED}\W*$|"
                              rf"^\W*what (?:(?!(?:is|was|were|are|did|does|do)\b)[a-z]+ ){{0,2}}(?:{_FIGURE_NOUNS})s? "
                              r"(?:did|does|do|is|was|will|would|has|have|had)\b", re.I)  # "what top tax rate would"
#: a pattern so marked asks its type only when no "what" or "which" stands before it: "What satellite
#: was used when Sky digital was launched?" asks for a satellite, not a date, and "What was the first
#: film released by ...?" for a film, not what became of one (as "Was Qumu killed?" does)
# "What did sugar close at", "what will the basic rate fall to": the level a figure moved to
_MOVED_TO = (r"^\W*what (?:is|was|were|are|did|does|do|has|have|had|will|would) .{1,60}?\b(?:fall|falls|fell|fallen|"
             r"rise|rises|rose|risen|cut|raised?|lowered?|reduced?|increased?|drop|dropped|climb|climbed|grow|grew|grown|"
             r"slip|slipped|close|closed|end|ended|trade|traded)(?:\s+[\w'’-]+){0,4}?\s+(?:to|at|by)\W*$")
_SHOUTED = re.compile(r"[^a-z]*[A-Z][^a-z]*\s[^a-z]*[A-Z][^a-z]*\s[^a-z]*[A-Z][^a-z]*")  # three words or more, no lower case
_MOVED = re.compile(_MOVED_TO.replace(r"\s+(?:to|at|by)\W*$", r"\s+(to|at|by)\W*$"), re.I)
_AFTER_WH = "not after what"
# "what was the winning time": a race's time, an amount of time ("2:06:41"), no hour of the day
_RACE_QUESTION = (r"\bwhat (?:is|was|were) (?:the|his|her|their|its) (?:new |world |course )?"
                  r"(?:winning|finishing|record|best|fastest|qualifying|lap|race) times?\b")
_WHAT_BEFORE = re.compile(r"\b(?:what|which)\b", re.I)
# "how cheap is the laptop", "how expensive was the deal": a price
_PRICEY = "cheap|expensive|costly|dear"
# "what is isinbayeva's world record", "what was greene's 60m record": a mark (a height, a time), not
# the name of a record ("what record did they sign")
_RECORD_QUESTION = (r"^\W*what (?:is|was|are|were) (?:the |his |her |their |its )?(?:[\w'’-]+\s+){0,3}?"
                    r"(?:world |personal |british |european |olympic |national |\w+ )?(?:record|best)s?\W*$")
# "which studio", "what company": a body or a person by what it is; a word or two may stand before a
# person's role ("which wales centre", "what french composer"), not before a body's ("what health
# company was a sponsor" named another sentence's sponsors on the dev set: the first body written there)
_WHICH_WHO = (r"\b(?:what|which) (?:(?!(?:is|was|are|were|did|does|do|has|have|had|will|would|can|could|may|might|must|"
              r"should|shall|the|a|an|to|of|in|on|at|for|by|with|from|happened|happens)\b)[a-z]+ ){0,2}?"
              r"(centre|striker|midfielder|defender|winger|goalkeeper|singer|mp|mps|person|people|man|men|woman|women|"
              r"president|minister|leader|chairman|player|players|author|writer|king|queen|emperor|scientist|artist|"
              r"composer|architect|general|official)\b|"
              r"\b(?:what|which) (company|companies|organi[sz]ation|group|band|bands|charity|firm|firms|party|auditor|"
              r"auditors|agencies|studio|studios|carmaker|carmakers|retailer|retailers|insurer|insurers|regulator|"
              r"regulators|team|club|agency|union|unions|bank|banks)\b")
# Question wording -> the type asked for; the first pattern found (anywhere: "In what year ...") wins.
_QUESTION_TYPES: list[tuple[str, re.Pattern[str]] | tuple[str, str, re.Pattern[str]]] = [
    (FATE, re.compile(r"\bwhat (?:has |had )?(?:happened|happens) to\b|"
                      r"\bwhat (?:will|would|could|might|is going to) happen to\b|\bwhat (?:became|becomes|has become) of\b|"
                      r"\bwhat (?:is|was) the fate of\b", re.I)),
    (FATE, _AFTER_WH, re.compile(r"\b(?:is|was|were|are|has|have) .{1,60}\b(?:killed|dead|alive|"
                                 r"captured|arrested|injured|hurt|wounded|released|freed|jailed|detained)\b", re.I)),
    (NUMBER, re.compile(rf"\bhow (?:many|much|long|old|far|large|big|tall|high|deep|often|fast|{_PRICEY})\b|{_RACE_QUESTION}|"
                        rf"{_RECORD_QUESTION}|"
                        r"\bwhat (?:percentage|percent|proportion|share|number|amount|sum|price|fraction)\b|"
                        rf"^\W*what (?:is|was|were|are) {_PRICED}\W*$|{_FIGURE_QUESTION.pattern}|{_MOVED_TO}", re.I)),
    (DATE, _AFTER_WH, re.compile(r"\bwhen\b", re.I)),
    (DATE, re.compile(r"\bwhat (?:is|was) the (?:time|date|year)\b(?!\s+(?:limit|frame|span|zone|scale|difference)\b)|"
                      r"\b(?:what|which|in what|in which) (?:year|years|date|day|month|time|century|decade|era|period|"
                      r"season)\b", re.I)),
    (CAUSE, re.compile(r"\bwhy\b|\bwhat (?:caused|causes|led to|prompted|made)\b|\bfor what reason\b", re.I)),
    (PLACE, re.compile(r"\bwhere\b", re.I)),
    (RANK, re.compile(r"\bwhere (?:did|does|do|has|have|had) .{1,60}?\b(?<!take )(?<!took )(?:finish|finished|come|came|"
                      r"place|placed|end up|ended up)(?=\W*$|\s+(?:in|at|on|overall|the|this|last)\b)|"
                      # "where did club foot reach in the singles chart": a chart position ("number 11")
                      r"\bwhere (?:did|does|do|has|have|had) .{1,60}?\b(?:chart|charted|peak|peaked)\b|"
                      r"\bwhere (?:did|does|do|has|have|had) .{1,60}?\bcharts?\b", re.I)),
    (PLACE_NAME, re.compile(r"\b(?:what|which) (?:(?!(?:is|was|are|were|did|does|do|has|have|had|will|would|can|could|"
                            r"the|a|an)\b)[a-z]+ )?(?:country|city|town|state|region|province|place|"
                            r"continent|island|county|nation|capital|village|location|countries|cities|towns|"
                            r"states|regions|provinces|nations|capitals|islands)\b", re.I)),
    # "according to whom ...", and typed in a hurry: "cuaron deal according to who", "growth according to?"
    (SOURCE, re.compile(r"\baccording to (?:whom|who)\b|\baccording to\W*$", re.I)),
    # "what did marr call the article": the words he called it ("a warning shot")
    (SAID, re.compile(rf"\bwhat (?:did|does|do|has|have|had|was|is|were|are|will|would)\b(?:.{{0,80}}?\b{_SAYING}\b|"
                      r"(?:\s+[\w'’-]+){1,4}\s+call\b(?!\s+for\b))", re.I)),  # not "call for", nor "caused X to call"
    # "how did eads respond to ...", "what was the fans' reaction": the words said, or what they did
    (REACTION, re.compile(r"\bhow (?:did|does|do|has|have|had|is|was|were|are|will|would|might|could) .{1,80}?\b"
                          r"(?:respond|responded|responding|react|reacted|reacting)\b|"
                          r"\bwhat (?:is|was|were|are|has been|have been) .{0,60}?\b(?:reaction|response)s?\b", re.I)),
    (NAME, re.compile(r"\bwhat (?:is|was|are|were) (?:the |its |his |her |their )?(?:full |official |first |last )?"
                      r"names? of\b|\b(?:is|was|are|were) (?:\w+ ){1,6}(?:called|named|known as)\W*$", re.I)),
    (PERSON, re.compile(rf"\bwho(?:m|se)?\b|{_WHICH_WHO}", re.I)),
]

# A query with no question word may still name what it wants: "hassan kidnap date", "sullivan
# age", "the number of jobs marsh is cutting", "reason for the dividend cut", "billboard awards
# venue" ask as "when / how old / how many / why / where" do. The noun opens the query ("the X of",
# "the amount chelsea is paying") or ends it, after no word that makes it a thing or a time named
# ("profit this year", "the stone age", "christmas day"). A bare keyword query ("chelsea profit
# 2004", "sufian al qumu") asks for no type: a phrase marked there would be a guess shown as an
# answer (BENCHMARKS.md "Queries that are not wh-questions").
_WH_WORD = re.compile(r"\b(?:who|whom|whose|what|which|when|where|why|how)\b", re.I)
_END_NOUNS = {"date": DATE, "year": DATE, "age": NUMBER, "amount": NUMBER, "price": NUMBER, "cost": NUMBER,
              "salary": NUMBER, "fee": NUMBER, "fine": NUMBER, "figure": NUMBER, "total": NUMBER,
              "reason": CAUSE, "reasons": CAUSE, "cause": CAUSE, "venue": PLACE, "location": PLACE,
              "whereabouts": PLACE}
_NAMING_BEFORE = frozenset("""this last next per a an each every same the new financial fiscal tax school calendar
    to of stone bronze iron digital information golden old ice jazz middle space computer internet good""".split())
_OPENS = r"^\W*(?:(?:the|its|his|her|their)\s+)?(?:exact\s+|total\s+|main\s+|likely\s+)?"
_OPEN_NOUNS = re.compile(
    rf"{_OPENS}(?P<date>date|year|day|month)\s+(?:of|when|that)\b|{_OPENS}(?P<age>age)\s+of\b|"
    r"^\W*(?:the|its|his|her|their)\s+(?:exact\s+|total\s+)?(?P<number>amount|number|price|cost|value|sum|size|"
    rf"salary|fee|fine)\b|{_OPENS}(?P<number2>amount|number|price|cost|value|sum|size|salary|fee|fine)\s+of\b|"
    rf"{_OPENS}(?P<cause>reasons?|causes?)\s+(?:for|of|behind|why)\b|{_OPENS}(?P<place>venue|location|whereabouts)\s+of\b",
    re.I)
_OPEN_KINDS = {"date": DATE, "age": NUMBER, "number": NUMBER, "number2": NUMBER, "cause": CAUSE, "place": PLACE}
_MONEY_NOUNS = frozenset("price cost value sum salary fee fine".split())


def _asked_noun(question: str) -> tuple[str, str, int] | None:
    """(type, noun, where the noun ends) of a query with no question word that names what it
    wants by a noun opening or ending it (see _END_NOUNS); None: it names none."""
    opening = _OPEN_NOUNS.search(question)
    if opening is not None:
        group = next(name for name, value in opening.groupdict().items() if value)
        return _OPEN_KINDS[group], opening.group(group).casefold(), opening.end(group)
    words = text_words(question)
    if words and words[-1] in _END_NOUNS and (len(words) < 2 or words[-2] not in _NAMING_BEFORE):
        return _END_NOUNS[words[-1]], words[-1], len(question)
    if len(words) > 1 and words[-1] in _ASKED_ROLES and words[-2] not in _NAMING_BEFORE:
        return PERSON, words[-1], len(question)  # "bluewater spokesman", "russian economy minister": who holds it
    return None


_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
           "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
_DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
# a race or lap time: "2:06:41", "1:02.5", "9.58sec": one amount of time, never a clock time's
# "2:06" and a bare "41"
_RACE_TIME = r"\b\d{1,2}:\d\d:\d\d(?:\.\d+)?\b|\b\d{1,2}:\d\d\.\d+\b|\b\d+(?:\.\d+)?\s?secs?\b|\b\d+\.\d+s\b"
_RACE = re.compile(_RACE_TIME, re.I)
_DATE = re.compile(
    rf"{_RACE_TIME}|"
    r"\b(?:[01]\d|2[0-3])[0-5]\d\s+(?:GMT|BST|UTC|CET|EST|PST)\b|"  # "at 1230 GMT": an hour, not a year
    rf"\b(?:(?:early|late|mid|mid-)\s*)?(?:\d{{1,2}}\s+)?(?:{_MONTHS})\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?"
    rf"(?:,?\s+(?:1[0-9]|20)\d\d)?\b|\b(?:{_DAYS})\b|\b(?:1[0-9]|20)\d\ds?\b|"
    r"\b\d{1,2}(?:st|nd|rd|th)\s+century\b|\b(?:yesterday|today|tonight|tomorrow)\b|"
    r"\b(?:last|next|this|earlier this|later this)\s+(?:week|month|year|spring|summer|autumn|fall|winter)\b|"
    r"\b(?:the\s+)?(?:(?:early|late)\s+)?(?:spring|summer|autumn|winter)\s+(?:of\s+)?(?:1[0-9]|20)\d\d\b|"
    r"\bthe\s+(?:(?:early|late)\s+)?(?:spring|summer|autumn|winter)\b|"
    r"\b\d{1,2}[:.]\d\d\s*(?:[ap]\.?m\.?)?|\b\d{1,2}\s*[ap]\.m\.|\b\d{1,2}\s*[ap]m\b")  # "at 8pm": an hour
# "what is the name of the first Huguenot outpost in ...": the words up to a preposition, a verb or the end
_NAME_OF = re.compile(r"\bnames?\s+of\s+(.*)", re.I | re.S)
# the word before a name ("the outpost of", "his nephew", "router (") and the three after it
_WORD_BEFORE = re.compile(r"\b([a-z][\w-]*)\s+(?:of\s+(?:the\s+)?|called\s+|named\s+|\(\s*)?$")
_WORDS_AFTER = re.compile(r"(?:\s+[a-z][\w-]*){1,3}")
# the part of a date a question names, and what a date holding it says (asked_calendar)
_ASKED_CALENDAR = re.compile(r"\b(?:what|which)\s+(year|month|decade|century|day)\b", re.I)
_CALENDAR_PARTS = {
    "year": re.compile(r"\b(?:1[0-9]|20)\d\d\b(?!s)"), "month": re.compile(rf"\b(?:{_MONTHS})\b"),
    "decade": re.compile(r"\b(?:1[0-9]|20)\d0s\b|\b(?:twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b", re.I),
    "century": re.compile(r"\bcentury\b", re.I),
    "day": re.compile(rf"\b(?:{_DAYS})s?\b|\b(?:{_MONTHS})\.?\s+\d|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\b|"
                      r"\b(?:yesterday|today|tonight|tomorrow)\b", re.I)}
_NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
                 "fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
                 "eighty|ninety|hundred|dozen|dozens|hundreds|thousands|millions|half|a third|a quarter")
# a number's unit is a lower-case word that is not a preposition, an auxiliary or a past tense
# ("Dozens held", "20 wounded": the number alone)
# a scale or a unit written onto the number ("$27bn", "£5m", "4km", "1.25gbps") or after it ("1.2 billion"), a whole word
# either way: "five men" and "20 miles" are a number and its unit, not "five m" and "20 m"
_SCALE = r"(?:(?:bn|tn|m|k|mln|bln|km|kg|cm|mm|mph|kph|[kmg]bps|[kmgt]b|[kmg]hz|[kmg]w|kwh|ft|lbs?)\b|\s+(?:million|billion|trillion|thousand|hundred|mln|bln|m|bn|k)\b)?"
_UNIT = r"(?:\s*(?:%|per\s?cent|percent)|(?-i:\s+(?!(?:and|or|but|of|the|a|an|to|in|on|at|for|by|from|with|over|under|after|before|since|than|into|up|down|as|that|which|who|when|while|was|were|is|are|had|has|have|will|would|held|led|made|took|gave|won|lost|left|met|went|came|fell|rose|got|saw|sold|paid|hit|shot|set|put|cut)\b)(?![a-z-]+ed\b)[a-z][a-z-]+))?"
# a currency sign, with the letters that say whose dollar it is ("A$458.4m", "US$5bn", "HK$2")
_CURRENCY = r"(?:(?<![\w$£€¥])(?-i:[A-Z]{0,3})[$£€¥]\s?)"
# a rate before the number it is of: "one in eight households", "1 out of every 5 adults" (not a
# year), or the part of a whole: "22 of the 30 projects"
_RATE = rf"(?:(?:{_NUMBER_WORDS.split('|hundred|')[0]}|a|\d{{1,3}})\s+(?:in|out of)\s+(?:every\s+)?(?!(?:1[0-9]|20)\d\d\b)(?=\w)|" \
        rf"(?:\d[\d,]*|{_NUMBER_WORDS.split('|hundred|')[0]})\s+of\s+(?:the|its|their|his|her|our)\s+(?=\d|(?:{_NUMBER_WORDS})\b))"
# a range's first end: "5 to 15 years", "10-12%"
_RANGE = r"(?:\d+(?:\.\d+)?\s*(?:to|-|–)\s*(?=\d))"
_NUMBER = re.compile(
    rf"{_CURRENCY}?\b(?:{_RATE}|{_RANGE})?(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|(?:{_NUMBER_WORDS})\b(?:[- ](?:{_NUMBER_WORDS})\b)*)(?:(?:-and-a-|\s+and\s+a\s+)half\b)?{_SCALE}{_UNIT}",
    re.I)
# "world number one", "the No 1 seed": a rank, no amount; "his shot": a noun, no outcome
_NUMBERED = re.compile(r"\b(?:world|seeded|(?-i:[A-Z]\w+))\s+(?:number|No\.?)\s+$", re.I)  # not "the number 23 shirt"
_DETERMINER = re.compile(r"\b(?:his|her|its|their|the|a|an|my|our|your)\s+$", re.I)
# a share as written: "3.7%", "one in five", "a quarter", "half"
_PART = re.compile(r"%|per\s?cent|percent|\bin\b|\bhalf\b|\b(?:third|quarter|fifth)s?\b", re.I)
# between a sum and its conversion in brackets: " (", then "; " between conversions
_OPENS_CONVERSION = re.compile(r"\s*\(\s*")
_NEXT_CONVERSION = re.compile(r"\s*[;,/]\s*")
_UNIT_AFTER = re.compile(r"(?:\s+[A-Za-z]+){1,2}")
#: what an amount is of, as its phrase ends ("250 screens" -> "screens") or a currency it is in
_PHRASE_UNIT = re.compile(r"([a-z][a-z-]*|%|cent)\W*$", re.I)
_FOLLOWING = re.compile(r"(?:\s+[a-z][a-z-]*|\s+[A-Z]+s\b){1,2}")  # "83 MPs": a unit in capitals, plural
# the whole a share is of: "5% of the workforce", "a third of all adults"
_OF_WHOLE = re.compile(r"\s+of\s+(?:(?:the|all|its|their|his|her)\s+)?(?:[a-z][\w-]*\s+){0,2}[a-z][\w-]*"
                       r"(?=\s*[,.;:)]|\s*$|\s+(?:of|in|at|on|for|from|and|or|but|who|which|that|than|was|were|is|are|"
                       r"had|has|have|did|do|does|will|would|could)\b)")  # its head noun: "of the voting population"
_MONEY = re.compile(r"[$£€¥]|\b(?:pounds?|dollars?|euros?|yen|yuan|francs?|marks?|rupees?|r[ou]bles?|pence|cents?|"
                    r"dinars?|pesos?|lira|rand|won|kron[aeo]r?|zloty|forint|baht|ringgit|rupiah|shekels?|riyals?|dirhams?|"
                    r"naira|shillings?|reais|real|rials?)\b", re.I)
# "How many screens ...", "what number of people", "how much money": the words naming what is counted
_ASKED_UNIT = re.compile(r"\b(?:how (?:many|much)|what (?:number|amount|percentage|share|proportion) of)"
                         r"((?:\s+[a-z][\w'’-]*){1,3})", re.I)

# "how much did profits fall / is output expected to rise": a change, by how much (not "rise to": to what)
_CHANGE_QUESTION = re.compile(r"^\W*how much (?:did|does|do|has|have|had|will|would|is|are|was|were)\b.*\b(?:rise|rose|"
                              r"risen|fall|fell|fallen|grow|grew|grown|drop|dropped|jump|jumped|climb|climbed|increase|"
                              r"increased|decrease|decreased|slip|slipped|slump|slumped|surge|surged|soar|soared|shrink|"
                              r"shrank|shrunk|plunge|plunged|dip|dipped|decline|declined)\b(?!\s+to\b)", re.I)
# "what was the division's budget": money, whatever it is of
_PRICE_QUESTION = re.compile(rf"^\W*what (?:is|was|were|are) {_PRICED}\W*$", re.I)
# the counted noun before its amount: "a staff of about 60"
_NAMED_BEFORE = re.compile(r"\b([a-z][a-z-]*)\s+of\s+(?:(?:about|some|around|nearly|almost|over|just|more than|up to)\s+)?$")
# "how long / how old": what a time, a length or an age is counted in
_HOW_LONG = re.compile(r"\bhow (long|old|fast)\b", re.I)
_SPEED_UNITS = frozenset(stem_of(w) for w in "mph kph knots kmh km/h".split())
_TIME_UNITS = frozenset(stem_of(w) for w in """second minute hour day night week month year decade century season
    mile metre meter kilometre km foot feet yard inch""".split())
_JOINED_UNIT = re.compile(r"-([a-z]+(?<!ly))(?:-old)?\b")
_NO_ONE = re.compile(r"\b(?:no|any|every|some|each|this|that|the)\s+$", re.I)  # "No one was", a pronoun
# "Mr Tsutsumi" for a question on Tsutsumi: the question's own person, a title before their name
_HONORIFIC = re.compile(r"(?:Mr|Mrs|Ms|Miss|Dr|Sir|Lord|Lady|Dame|Prof)\.?")
_NAME_COMMA = re.compile(r"[A-Z][\w'’-]*,\s+$")
_AGED = re.compile(r"\b(?:aged?|age of|turn(?:s|ed|ing)?|at|(?:[Hh]e|[Ss]he|[Tt]hey) (?:is|was|were|are))\s+$")
# an age after its number: "54-year-old", "54 years old", "a 300-year-old oak"
_OLD_AFTER = re.compile(r"(?:-years?)?[- ]old\b")
_YEARS_OR_BARE = re.compile(r"\d{1,3}(?:\s+years?)?|(?:[a-z]+-)?[a-z]+(?:\s+years?)?", re.I)
_SPACED_AGE = re.compile(r"(?:\d{1,3}|[a-z]+)\s+years?-old", re.I)  # "a 12 year-old girl": the unit holds the "old"
_BARE_AGE = re.compile(r"\d{1,3}")
#: what a record is measured in besides time and length: "4.91m", "8.95 metres", "9,026 points"
_MARK_UNITS = frozenset(stem_of(w) for w in "m cm kg metres meters points goals runs wickets".split())
_CLOCK_UNITS = frozenset(stem_of(w) for w in ("second", "minute", "hour"))
_YEAR = re.compile(r"(?:1[0-9]|20)\d\ds?\b(?!\s*(?:%|per\s?cent|percent|million|billion|thousand))")
# A capitalised run: words with a capital (initials, "al-", "O'Neill"), joined by a few lower-case
# particles; a later word may open with an Arabic article in lower case ("Yousef al-Shirawi").
_NAME = re.compile(r"(?<![\w'’-])(?:[A-Z][\w'’.-]*|\d+[A-Z]\w*)(?:\s+(?:(?:of|de|du|da|del|der|van|von|al|bin|ibn|la|le|and|for|the|&)\s+)?"
                   r"(?:(?:al|el|ad|ar|as|ash|at|az)-)?(?:[A-Z][\w'’.-]*))*")
#: a region's word may stand between a place preposition and a place: "fled to southern Italy", "in far eastern Anatolia"
_REGION = r"(?:(?:far|north|south|east|west|northern|southern|eastern|western|central|upper|lower)\s+){0,2}"
_PLACE_BEFORE = re.compile(r"\b(?:in|at|on|from|near|to|into|across|outside|inside|around|toward|towards|via|within|"
                           rf"throughout|through|along|beyond|between|among)\s+(?:the\s+)?{_REGION}"
                           r"(?:(?:city|town|village|county|region|province|state|island|port|district) of\s+)?$")
_RUN_WORD = re.compile(r"\S+")
# a name the question writes as an owner: "Tolbert's fumble", "Kublai Khan's grandfather" (not "Who's")
_POSSESSOR = re.compile(r"(?<![\w'’-])((?:[A-Z][\w.-]*\s+){0,2}(?!Who\b|What\b|Which\b)[A-Z][\w.-]*)(?:'s|’s)\b")
# the subject of "who did X beat", "which club did X manage": up to three words after the auxiliary
# (where the subject ends and the verb begins is not known in a lower-case question)
_ASKED_SUBJECT = re.compile(r"^\W*(?:who|whom|(?:which|what)\s+[a-z]+)\s+(?:did|does|do|has|have|had|will|would|could|"
                            r"can)\s+(?:the\s+)?([\w'’.-]+(?:\s+[\w'’.-]+){0,2})", re.I)
# the object of "who beat hewitt", "who tackled Mike Tolbert": the words after the question's verb
_ASKED_OBJECT = re.compile(r"^\W*who\s+(?!(?:is|was|are|were|be|been|did|does|do|has|have|had|will|would|can|could|"
                           r"should|may|might|must)\b)[a-z]+\s+(?:the\s+)?([\w'’.-]+(?:\s+[\w'’.-]+){0,2})", re.I)
#: a name ending in one of these is an event or a venue, not who did something ("the London Marathon",
#: "the Davis Cup", "Free Mojtaba and Arash Day", "the Volvo Women's Open", "the Olympic Stadium")
_EVENTS = frozenset("""cup cups open opens marathon sevens prix games olympics championship championships day
    festival awards final finals tournament bowl stadium arena racecourse""".split())
# a place something happens in, before a name: "throughout North America", "in far eastern Anatolia"
# (not "from", "to", "at": "a licence from Ofcom", "lost to Federer", "works at Google")
_AT_PLACE_WORDS = frozenset("in near into across throughout outside inside around toward towards via".split())
_REGION_WORDS = frozenset("far north south east west northern southern eastern western central upper lower".split())
_ROMAN = re.compile(r"[IVXLCDM]{2,}")
# A people's or a faith's adjective ("the French version", "a Jewish spokesman"): a one-word run so
# written and followed by a lower-case word names no one
_DEMONYM = re.compile(r"[A-Z][a-z]+(?:ish|ese|ian|ean|ic)|French|Dutch|Greek|Thai|Swiss|Welsh|Latin|Arab|Muslim|"
                      r"Jewish|Hindu|Buddhist|Sikh|Protestant|Catholic|American|African|European|Mexican|Korean|"
                      r"German|Norman|Roman|Lutheran|Anglican|Republican|Cuban|Moroccan|Kenyan|Tibetan|Nepalese|"
                      r"Chinese|Japanese|Vietnamese|Portuguese|Sudanese|Iraqi|Israeli|Pakistani|Saudi|Kuwaiti|Yemeni|"
                      r"Somali|Afghan|Filipino|Kurd|Kurdish|Basque|Celtic|Gothic|Asian")
_LOWER_NEXT = re.compile(r"\s+[a-z]")
# a body's form after its name ("Sunderland FC", "SBC Communications" for a question naming
# Sunderland, SBC): the question's own body, no other name
_FORMS = frozenset("fc afc plc ltd inc corp co group holdings communications international sa ag nv llc".split())
# a sentence's first word and a verb (_acts): what tells "Ferrari won" from "Inflation rose"
_SINGULAR_AUX = frozenset("has is was does".split())
_AUXILIARIES = frozenset("has have had is was were are will would could can may might should must did does".split())
_ABSTRACT = ("tion", "sion", "ment", "ness", "ity", "ance", "ence", "ing", "ship", "ism", "cy")
_PRONOUNISH = frozenset("""everyone everybody nobody nothing something everything anyone anybody someone somebody
    much many more most growth demand output revenue trade work business money time""".split())
# words that open a sentence before a name without being part of it ("Like Alice", "Former Wales skipper")
_OPENERS = frozenset("""like unlike despite following including according among amid without within across along
    behind beyond besides toward towards upon via former meanwhile yesterday today tomorrow last next even
    although though since yet every many several earlier later instead indeed perhaps rather almost often
    elsewhere however nevertheless throughout non but and so thus""".split())
_NUMBER_WORD = re.compile(rf"(?:{_NUMBER_WORDS})(?:-\w+)*")
_OWN = re.compile(r"\s+own\b")
_NEXT_WORD = re.compile(r"\s+([a-z][a-z'’-]*)")
# words after a name that make it the subject of a clause, not a modifier of a noun ("Newton threw",
# "Blair told"): auxiliaries, function words and irregular past tenses
_VERBISH = frozenset("""said told has had have is was were are will would could can may might should must did does
    do and or but to in on at for of with by from as who which that also then now not never still only just later
    again already first last this these those threw won beat led took made gave met went came saw left lost ran got
    put set hit cut let kept held sold paid brought bought caught fought sought thought taught built sent spent fell
    felt grew knew rose wrote became began broke chose drove flew forgot froze hid rode sang sank shook spoke stole
    swam tore woke wore struck stood understood found sat drew shot slid spun stuck stung swore swept swung bore
    bit bled bred dealt dug fed fled forbade forgave hung heard laid lent lit meant overcame quit read rid shut
    slept sped split spread sprang stank strove thrust upheld withdrew wound""".split())
# "Who tackled X?", "Who is it owned by?": a question asking who did something (not "Who was sacked?")
_ASKS_AGENT = re.compile(r"^\W*who\s+(?!(?:is|was|are|were|be|been|being|did|does|do|has|have|had|will|would|"
                         r"can|could|should|may|might|must|else)\b)[a-z]+|\bby\s*\W*$|\bby whom\b|"
                         r"^\W*who\s+(?:will|would|can|could|should|may|might|must)\s+(?!(?:be|have|not)\b)[a-z]+",
                         re.I)
# What stands between a name and the person or body it describes: a role ("American Idol presenter
# Ryan Seacrest", "Academy Award nominee Lady Gaga", "the British rock group Coldplay"), with up to
# two words before it and "of" after ("commentary crew of Alvaro Martin"): the first name is a modifier.
_ROLE = (r"(?!(?:after|over|under|other|never|ever|either|neither|rather|whether|order|offer|enter|consider|"
         r"deliver|cover|suffer|remember|answer|register|gather|differ|prefer|refer|transfer|wonder|for|nor|or|"
         r"per|her|their|our|your|later|earlier|further|former|latter|better|more|before|together|however)\b)"
         r"(?:[a-z-]*(?:er|or|ist|ian|man|woman|person|ee)s?|chief|head|boss|coach|star|group|band|crew|firm|"
         r"company|team|side|club|minister|secretary|captain|president|executive|official|envoy|general|aide|"
         r"colleague|rival|partner|attorney|judge|premier|mp|king|queen|prince|princess|actress|artist|host|champion|"
         r"anchor|correspondent|deputy|agent|guard|back|end|safety|veteran|legend|rookie|candidate|incumbent|"
         r"pilot|colonel|sergeant|lieutenant|officer|detective|inspector|economist|scientist|expert|chair|cleric|"
         r"imam|bishop|cardinal|pope|priest|rabbi|network|channel|station|newspaper|magazine|label|studio|brand|"
         r"giant|carrier|airline|bank|chain|watchdog|agency|body|party|union|ministry|department|council|"
         r"committee|panel|board|government|administration|authority|commission|charity|organi[sz]ation|"
         r"institute|university|league|federation|association)s?")
# "Quarterback Cam Newton", "Developer William Smilie": a title opening the sentence is no part of the name;
# of the roles ending -er, -or, -ist, -ian, -ee only those listed ("Peter", "Victor", "Christian" are names)
_ROLE_WORD = re.compile(_ROLE)
_AGENT_NOUN = re.compile(r"[a-z-]*(?:er|or|ist|ian|ee)s?")
# a role a question ends on asks who holds it ("who is kasabians singer"), not what a person is
_ASKED_ROLES = frozenset("""player vocalist keyboardist striker goalkeeper keeper midfielder defender winger
    centre presenter economist analyst
    auditor adviser advisor spokesman spokeswoman spokesperson chairman chairwoman successor
    predecessor sponsor coach boss chief head captain manager director producer editor owner founder lawyer singer
    guitarist drummer bassist drummer president secretary minister wife husband son daughter father mother brother
    sister partner girlfriend boyfriend agent deputy replacement ceo cfo coo cto executive chairperson officer
    exec frontman frontwoman governor commissioner treasurer ambassador""".split())
_TITLES = frozenset("""manager director developer producer reporter officer senator governor striker defender keeper
    winger founder owner editor professor lawyer singer writer author actor leader player""".split())
# ", a member of the BMW management board," after a name: what it says the person is
_APPOSITION = re.compile(r"(?:'s|’s)?,\s+((?:(?:a|an|the)\s+)?(?:[\w'’&-]+\s+){0,10}?[\w'’&-]+)(?=\s*[,.;:)\"”]|\s*$)")
# " of IT firm Dimension Data," after a name: the body the person speaks for
_OF_BODY = re.compile(r",?\s+((?:of|from)\s+(?:[\w&'’-]+\s+){0,5}?[\w&'’-]+)(?=\s*[,.;:)\"”]|\s+(?:who|which|said|says|told)\b|\s*$)")
# "LSE chief executive " before a name: up to three words ending in a role
_ROLE_BEFORE = re.compile(rf"((?:[A-Z][\w&'’.-]*\s+)?(?:[a-z][\w'’-]*\s+){{0,3}}{_ROLE})(,?)\s+$")
# "Amit Yoran was director of the National Cyber Security Division": the role the name is said to hold
_IS_ROLE = re.compile(rf"\s+(?:is|was|has been|had been|became)\s+((?:(?:a|an|the)\s+)?(?:[a-z][\w'’-]*\s+){{0,3}}?"
                      rf"{_ROLE}(?:\s+(?:of|at|for)\s+(?:the\s+)?[A-Z][\w&'’.-]*(?:\s+[A-Z][\w&'’.-]*)*)?)\b")
# a lower-case word that opens no description: a function word, a verb's past or an auxiliary
_FUNCTION_WORD = re.compile(r"(?:[a-z]+ed|" + "|".join(sorted(w for w in STOP_WORDS | _VERBISH if w.isalpha())) + r")\b\s*")
_ARTICLE = re.compile(r"(?:a|an|the)\s", re.I)
# ", his partner", ", her lawyer": a possessive and the role, the whole apposition
_THEIR_ROLE = re.compile(r"(?:his|her|their)\s+(?:[a-z-]+\s+)?([a-z-]+)")
# a quotation (of three words or more: _said counts them): its words without the marks
_QUOTED = re.compile(r"[\"“]([^\"“”]+)[\"”]")
# a word or two quoted is a scare quote, unless what someone called a thing ('called his own genre of music "dead"')
_CALLED = re.compile(r"\b(?:called|calling|calls|described|describing|dubbed|branded|labell?ed|termed)\b(?:\s+[\w'’-]+){0,6}\s*$")
# a sentence's one quotation mark: a quotation running on past its end ("We expect these figures
# to leap.), or the end of one begun in a sentence before (Every month the prices drop," he said.)
_RUNS_ON = re.compile(r"\s*[\"“](.+)$", re.S)
_RAN_ON = re.compile(r"([^\"”]+[,.!?])[\"”]")
# a quotation opened after a colon, a comma or a verb of saying and running on past the sentence's end:
# 'Andrew Marr said: "This is enormously damaging.' (the mark opens: a word follows it, no space),
# ending as a sentence does (a quotation never closed nor ended, a PDF's pull quote cut short, is none)
_OPENED = re.compile(r"(?:[:,]|\b(?:said|says|told|added|adds|asked|replied|insisted|warned))\s+[\"“](?=\w)(.+[.!?…])\s*$",
                     re.S)
# a verb a speaker's name and role lack: "said the compression was lossless" reports, "said the chairman" names
_FINITE = r"(?:is|was|were|are|will|would|had|has|have|could|can|should|may|might|must|did|does|do)"
# "<clause>, said Mr Sridharan." / "<clause>, analysts said.": the words reported come first (after a
# wire lead's dateline), the speaker (a name, a pronoun, a few words) after the verb or before it at the end
_ATTRIBUTING = r"(?:said|says|added|adds|warned|explained|insisted|admitted|argued|wrote|commented|told)"
_SPEECH_VERB = r"(?:said|says|added|adds|warned|explained|insisted|admitted|argued|wrote|commented|told|continued)"
_SAID_FIRST = re.compile(rf"\s*(\w[^\"“”]*?[^\s,]),\s+(?:{_ATTRIBUTING}\s+(?![^.!?]{{0,80}}?\b(?:{_FINITE}|that)\b)[^.!?\"“”]{{1,80}}|"
                         rf"(?:[\w'’.-]+\s+){{0,3}}{_ATTRIBUTING})[.!?]?\s*$")
# "what did <the speaker> say ...", "how did <the speaker> respond ...": who the question asks the words of
# (say and tell only: "what did Luther call / believe / claim ..." asks the words of a report, the
# dev set's answers being in the clause, not in the quotation after it)
_ASKED_SPEAKER = re.compile(r"\b(?:what|how) (?:did|does|do|has|have|had|will|would)\s+((?:[\w'’.-]+\s+){1,6}?)"
                            r"(?:say|says|said|tell|tells|told|respond|react)\b", re.I)
# the words said given to "he" or "she": '"...," he said.', 'He said: "...'
_PRONOUN_SAID = re.compile(rf"\b(?:he|she)\s+(?:also\s+)?{_SPEECH_VERB}\b|\b{_SPEECH_VERB}\s+(?:he|she)\b", re.I)
# a verb of reacting and its clause, to the sentence's end or its next comma, semicolon or dash
_REACTING = re.compile(r"\b(?:welcomed|welcomes|criticised|criticized|criticises|condemned|condemns|rejected|rejects|"
                       r"dismissed|dismisses|denied|denies|hailed|hails|praised|praises|attacked|attacks|defended|"
                       r"defends|slammed|slams|blasted|vowed|vows|reacted|reacts|responded|responds|refused|refuses|"
                       r"declined|declines|appealed|appeals|protested|protests|backed|backs|opposed|opposes)\b"
                       r"[^.;:!?,\u2013\u2014]*[^.;:!?,\u2013\u2014\s]")
# the verbs of saying a "who <verb> <the words>" question asks the speaker of (asked_speech, spoke)
_SPEECH = (_SAYING[:-1] + r"|urge|urges|urged|call|calls|called|accuse|accuses|accused|criticise|criticised|"
           r"criticize|criticized|welcome|welcomed|praise|praised|hail|hailed|attack|attacked|dismiss|dismissed|"
           r"reject|rejected|label|labelled|brand|branded|dub|dubbed|question|questioned|confirm|confirmed|deny|"
           r"denied|suggest|suggested|state|stated|vow|vowed|promise|promised|pledge|pledged|point|points|pointed|"
           r"stress|stresses|stressed|observe|observed|note|notes|noted|remark|remarked)")
_ASKED_SPEECH = re.compile(rf"^\W*who\s+(?:has\s+|have\s+|had\s+)?({_SPEECH})\b", re.I)
# a name, then (its apposition, or the body it speaks for), then the verb: "Mark Serle, from the PCS union said"
_SPOKE_AFTER = re.compile(rf"(?:,[^,\"“”]{{1,80}},|,?\s+(?:of|from|at)\s+[^,\"“”.;:]{{1,60}}?)?"
                          r"(?:\s+(?:in|on)\s+(?:\d{4}|[A-Z]\w+))?\s+"  # "Francis Blackburne in 1765 argued"
                          rf"(?:(?:has|have|had|also|then|later)\s+){{0,2}}{_SPEECH}\b")
# the verb, then a few words (a role, an owner) and the name: ", said Amazon's Robin Terrell."
_SPOKE_BEFORE = re.compile(rf"(?:\b{_SPEECH}|\baccording to)\s+(?:[\w'’.&-]+\s+){{0,5}}$", re.I)
_SPEAKS_FOR = re.compile(r"\b(?:of|from|at)\s+(?:the\s+)?$")
_CLAUSE_ENDS = re.compile(r"(?:\s+(?:of|from|at)\s+[^,.;:!?\"“”]{1,60})?[\"”’']?\s*(?:[,.;:!?]|$)")  # "... of Unison."
# who gives what a sentence says: "according to federal regulators", "..., Screen Daily has said."
_SOURCE_WORD = r"[\w'’&-]+(?:\.[\w'’&-]+)*"  # "U.S" inside, no full stop after
_ACCORDING = re.compile(rf"\baccording to ((?:the\s+)?{_SOURCE_WORD}(?:\s+{_SOURCE_WORD}){{0,6}}?)(?=\s*[,.;:)]|\s*$)", re.I)
_SOURCE_AFTER = re.compile(rf",\s+((?:the\s+)?{_SOURCE_WORD}(?:\s+{_SOURCE_WORD}){{0,5}}?)\s+(?:has\s+|have\s+|had\s+)?"
                           rf"(?:{_ATTRIBUTING}|reported|reports|found|estimated|estimates|claimed|claims|predicted|"
                           r"predicts|announced|revealed|suggested|suggests)[.!?]?\s*$")  # "..., Tom Hale has claimed."
# "... said (that) <clause>": the clause to the sentence's end
_SAID_THAT = re.compile(rf"\b{_SAYING}\b[^.!?\"“”]{{0,60}}?\bthat\s+(\w[^.!?]*\w)")
_SAID_CLAUSE = re.compile(rf"\b{_SAYING}\b(?:\s+(?:that|on \w+|in a statement|yesterday|today|last week))?,?\s+"
                          r"((?:the|a|an|it|he|she|they|we|there|this|its|his|her|their|[a-z]+|[A-Z][\w'’-]*)\b[^.!?]*\w)")
_DESCRIBES = re.compile(rf"(?:'s|’s|'|’)?\s+(?:(?!(?:and|or|but|with|while|nor)\s)[a-z][\w-]*\s+){{0,2}}{_ROLE}(?:\s+of)?\s+(?:the\s+)?")
# "due to" before a verb says when something is planned ("due to open this weekend"), not why
_CAUSE = re.compile(r"\b(?:because(?: of)?|due to(?!\s+(?:be|open|start|begin|take|meet|arrive|end|close|finish|"
                    r"launch|return|play|appear|visit|hold|go|come|make|have|sign|face|report|announce|publish|"
                    r"release|resume|expire|leave|run|retire|testify|stand|give|get|become|receive|decide|vote|"
                    r"fly|travel|speak|attend|present|complete|deliver|lift|rule|hear|issue|reopen)\b)|owing to|as a result of|so that|in order to|so as to|"
                    r"thanks to|caused by|led to|after|since|for fear|the reason|reasons? (?:for|why|behind)|aimed at|to protest|"
                    r"in protest|as part of|in the wake of|amid|in response to|in (?:a|an) (?:bid|effort|attempt) to|"
                    r"on the grounds|(?:delayed|prompted|triggered|sparked|driven|fuelled|fueled|hampered) by|blamed on|"
                    r"(?<=, )(?:saying|claiming|arguing|citing))\b",
                    re.I)
_OUTCOME = (r"(?:(?:lightly|slightly|seriously|badly|critically|fatally|only|not)\s+)?(?:killed|captured|"
            r"injur\w*|wounded|hurt|unhurt|unharmed|arrested|detained|jailed|imprisoned|released|freed|escaped|died|"
            r"dead|alive|survived|executed|sentenced|kidnapped|abducted|missing|resigned|fired|sacked|dismissed|"
            r"ousted|elected|appointed|acquitted|convicted|charged|deported|exiled|fled|shot|thrown out|kicked out|expelled|"
            r"banned|suspended|fined|barred|evicted|stripped|sent off|axed)")
_FATE = re.compile(rf"\b{_OUTCOME}(?:\s+(?:and|or)\s+{_OUTCOME})*\b", re.I)
_RANKED = re.compile(r"\b(?:(?:joint|equal)[ -])?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
                     r"eleventh|twelfth|last|runner-up|runners-up|\d{1,3}(?:st|nd|rd|th)|"
                     r"(?:number|numbers|no\.?)\s+(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten))\b", re.I)
_CLAUSE_END = re.compile(r"[,;:.!?]\s|[.!?]$|\s(?:but|while|and said)\s")
# a wire lead's dateline: a place in capitals, a state, a date, the agency, a dash
# (an agency in brackets, or an em dash: "US - China talks" opens with no dateline); a plain
# hyphen only after a month and day, as the wires' archives have it ("MANAMA, March 3 - ")
_DATELINE = re.compile(r"(?:[A-Z][A-Z'’.-]+\s+)*[A-Z]{2,}[A-Z'’.-]*,?(?:\s+[A-Z][a-z]{1,4}\.)?"
                       r"(?:(?:,?\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2})?(?:\s*\([A-Z][\w. ]{1,20}\)\s*[-—–]{1,2}|\s+(?:—|--))"
                       rf"|,?\s+(?:{_MONTHS})\.?\s+\d{{1,2}}\s+[-–])\s+")
_NOT_NAMES = frozenset(_MONTHS.lower().split("|") + _DAYS.lower().split("|") + [d + "s" for d in _DAYS.lower().split("|")]
                        + "gmt bst utc cet est pst edt et".split())  # "by 1015 GMT": an hour, no name


class Phrase(NamedTuple):
    """A phrase of the wanted type in a text: its span (offsets into that text)."""

    start: int
    end: int


class Measure(NamedTuple):
    """What a "how many / how much" question counts: the stem of the noun that names it ("How
    many screens ...": screen), and whether it asks for money ("how much") or a share."""

    units: frozenset[str]
    money: bool
    share: bool
    age: bool = False
    strict: bool = False  # "how long / how old": an amount of no time, length or age is no answer
    calendar: str = ""  # "in what year / month / decade": the part of a date asked for (asked_calendar)
    named: bool = False  # "what is the name of the outpost": units is the noun a name stands beside (asked_named)
    change: bool = False  # "how much did profits fall": by how much ("9%"), not to what ("to £6.2bn"), money or not
    level: str = ""  # "what did tin close at": the word ("at", "to", "by") the amount asked for follows


def asked_measure(question: str) -> Measure | None:
    """What the question's amount is of (None: it asks for no amount by name): the words after
    "how many" up to the clause's verb or a function word ("How many screens will ...")."""
    found = _ASKED_UNIT.search(question)
    if found is None and (moved := _MOVED.search(question)) is not None:  # "fell by two pence to 27 pence"
        return Measure(frozenset(), False, False, level=moved.group(1).casefold())
    if found is None and _WH_WORD.search(question) is None:  # "sullivan age", "the number of jobs ..."
        return _noun_measure(question)
    if found is None and _PRICE_QUESTION.search(question):
        return Measure(frozenset(), True, False)
    if found is None and (figure := _FIGURE_QUESTION.search(question)) is not None:  # "what was japan's growth"
        return Measure(frozenset(), False, True) if _SHARE_WORD.search(figure.group(0)) else None
    if found is None and (re.search(_RACE_QUESTION, question, re.I) or re.search(_RECORD_QUESTION, question, re.I)):
        return Measure(_TIME_UNITS | _MARK_UNITS, False, False, False, True)  # "6.39secs", "4.91m"; not "11th"
    if found is None and re.search(rf"\bhow (?:{_PRICEY})\b", question, re.I):
        return Measure(frozenset(), True, False)
    if found is None:
        span = _HOW_LONG.search(question)  # a time or a length; an age in years ("the 34-year-old")
        if span is not None and span.group(1).casefold() == "fast":  # "in 9.58sec", "at 78 mph"; "grew 3%" too
            return Measure(_TIME_UNITS | _SPEED_UNITS, False, False)
        return None if span is None else Measure(_TIME_UNITS, False, False, span.group(1).casefold() == "old", True)
    named: list[str] = []
    for word in found.group(1).split():
        word = word.casefold()
        if not named and word in ("of", "the", "all", "its", "their", "his", "her"):
            continue  # "what share of the workforce": the whole the share is of
        if word in STOP_WORDS or word in _VERBISH:
            break
        named.append(word)
    # the head noun ("how many television stations": stations), not "how many times" (a count of anything)
    units = frozenset({stem_of(named[-1])}) if named and named[-1] not in ("times", "time") else frozenset()
    opening = found.group(0).casefold()
    part = opening.startswith("how much") and found.group(1).split()[0].casefold() == "of"  # "how much of the group"
    change = _CHANGE_QUESTION.search(question) is not None
    return Measure(units, opening.startswith("how much") and not part and not change,
                   part or any(w in opening for w in ("percentage", "share", "proportion")), change=change)


def asked_calendar(question: str) -> Measure | None:
    """The part of a date a "when" question names ("In what year ...", "what day of the week",
    "which decade"), as a Measure whose dates fit when they hold it: "In 1938, ... and published
    its report in 1940" answers by a year, but "Sunday" does not answer "in what year". None: any date."""
    found = _ASKED_CALENDAR.search(question)
    return None if found is None else Measure(frozenset(), False, False, calendar=found.group(1).casefold())


def measure_of(question: str, kind: str | None) -> Measure | None:
    """What the question's phrase of `kind` must hold: the amount's unit (asked_measure), the
    date's part (asked_calendar) or the noun a name stands beside (asked_named); None: any phrase of the type."""
    if kind == NAME:
        return asked_named(question)
    return asked_measure(question) if kind == NUMBER else asked_calendar(question) if kind == DATE else None


def asked_named(question: str) -> Measure | None:
    """The noun a "what is the name of the <noun>" question asks the name of ("the first Huguenot
    outpost": outpost; "Bohemond's nephew": nephew), as a Measure whose names fit when they stand
    beside it ("the outpost of Charlesfort", "his nephew Tancred", "the Eleutherian gunpowder mills",
    "a broadband router (Sky Q Hub)"). None: it names no noun."""
    found = _NAME_OF.search(question)
    words = found.group(1).split() if found else []
    owner = next((i for i, w in enumerate(words[:3]) if w.endswith(("'s", "’s"))), -1)  # "Bohemond's nephew"
    nouns: list[str] = []
    for word in words[owner + 1:]:
        word = word.strip("?.,")
        if word.casefold() in STOP_WORDS or word.casefold() in _VERBISH or (nouns and not word.islower()):
            if nouns:
                break  # "the hotel the Panthers chose", "the system BSkyB uses", "the outpost in South Carolina"
            continue
        if word.islower():
            nouns.append(word)
    return Measure(frozenset({stem_of(nouns[-1])}), False, False, named=True) if nouns else None


def _beside(text: str, name: Phrase, nouns: frozenset[str]) -> bool:
    """Whether one of `nouns` stands just before the name ("the outpost of", "his nephew", "router (")
    or among the three words after it ("Eleutherian gunpowder mills")."""
    before = _WORD_BEFORE.search(text, max(0, name.start - 40), name.start)
    after = _WORDS_AFTER.match(text, name.end)
    words = [before.group(1)] if before else []
    for word in after.group(0).split() if after else ():
        if word in STOP_WORDS:
            break  # "Bohemond of Taranto and his nephew": the nephew is not Taranto
        words.append(word)
    return any(stem_of(w.casefold().strip("(),")) in nouns for w in words)


def _noun_measure(question: str) -> Measure | None:
    """What a query with no question word counts, by its noun: an age ("sullivan age"), money
    ("the price of ...", "the cost"), the words after "the number / amount of" ("jobs"); None: no
    amount by name."""
    noun = _asked_noun(question)
    if noun is None or noun[0] != NUMBER:
        return None
    if noun[1] == "age":
        return Measure(_TIME_UNITS, False, False, True, True)
    counted = re.match(r"\s+of((?:\s+[a-z][\w'’-]*){1,3})", question[noun[2]:], re.I)
    named = [] if counted is None else _head(counted.group(1))[:2]  # "jobs marsh ...": either may be it
    return Measure(frozenset(stem_of(word) for word in named), noun[1] in _MONEY_NOUNS, False)


def _head(words: str) -> list[str]:
    """The counted noun's words: up to the clause's verb or a function word."""
    named = []
    for word in words.split():
        if word.casefold() in STOP_WORDS or word.casefold() in _VERBISH:
            break
        named.append(word.casefold())
    return named


def fits(text: str, amount: Phrase, measure: Measure) -> int:
    """How surely the amount (a phrase of `text`) is of what the question counts: 3 when it is a
    share for "what share / percentage" (whatever the share is of: "3.7%", not "28,000 students",
    for "what percentage of students"; 4 when of the whole the question names: "5% of the workforce",
    not "half of all graduates", for "what share of the workforce"), 2 when its unit, or one of the two words after it, is the
    noun the question names ("250 screens", "200 new jobs" for "How many jobs"), 1 when it is
    money for "how much", else 0."""
    words = text[amount.start:amount.end]
    if measure.named:  # "the outpost of Charlesfort" for "what was the name of the outpost"
        return 2 * _beside(text, amount, measure.units)
    if measure.calendar:  # "in what year": "1954", not "Sunday" nor "the early 1960s"
        return 2 * bool(_CALENDAR_PARTS[measure.calendar].search(words))
    if measure.share and _PART.search(words):  # "what percentage of students": "3.7%", not "28,000 students";
        return 3 + _of_whole(text, amount, measure)  # "5% of the workforce" for a share of it
    if unit_end(text, amount, measure) is not None:
        return 2
    if measure.level:  # "closed 0.41 cent higher at 7.92 cents" for "what did sugar close at"
        return 2 * bool(re.search(rf"\b{measure.level}\s+(?:about\s+|around\s+|some\s+|nearly\s+)?$",
                                  text[max(0, amount.start - 20):amount.start], re.I))
    return int(measure.money and _MONEY.search(words) is not None)


def unit_end(text: str, amount: Phrase, measure: Measure) -> int | None:
    """Where the noun the question counts ends, when it is the amount's unit or one of the two
    words after it ("200 new jobs": the amount is marked to "jobs"); None: it is not."""
    if measure.age:
        return _age_end(text, amount)
    if _RACE.fullmatch(text, amount.start, amount.end):  # "2:06:41": hours, minutes and seconds
        return amount.end if not measure.units.isdisjoint(_CLOCK_UNITS) else None
    unit = _PHRASE_UNIT.search(text, amount.start, amount.end)
    if unit is not None and stem_of(unit.group(1).casefold()) in measure.units:
        return amount.end
    named = _NAMED_BEFORE.search(text, max(0, amount.start - 40), amount.start)  # "a staff of about 60"
    if named is not None and stem_of(named.group(1).casefold()) in measure.units:
        return amount.end
    joined = _JOINED_UNIT.match(text, amount.end)  # "45-minute", "the 34-year-old"
    if joined is not None and stem_of(joined.group(1).casefold()) in measure.units:
        return joined.end()
    following = _FOLLOWING.match(text, amount.end)
    for word in _RUN_WORD.finditer(text, amount.end, following.end() if following else amount.end):
        if stem_of(word.group(0).casefold()) in measure.units:
            return word.end()
    return None


def _of_whole(text: str, amount: Phrase, measure: Measure) -> bool:
    """Whether a share is of the whole the question names: "5% of the workforce" (the mark stays "5%")."""
    whole = _OF_WHOLE.match(text, amount.end)
    return whole is not None and stem_of(whole.group(0).rsplit(None, 1)[-1].casefold()) in measure.units


def _age_end(text: str, amount: Phrase) -> int | None:
    """Where an age ends: "54-year-old", "54 years old", or a bare number after "aged", "at the
    age of", "turned", "at" or a name's comma ("Mr Boateng, 53,"); "After 18 years" is a
    duration, no age."""
    old = _OLD_AFTER.match(text, amount.end)
    if old is not None and _YEARS_OR_BARE.fullmatch(text, amount.start, amount.end):
        return old.end()
    if _SPACED_AGE.fullmatch(text, amount.start, amount.end):
        return amount.end
    if not _BARE_AGE.fullmatch(text, amount.start, amount.end):
        return None
    if _AGED.search(text, max(0, amount.start - 12), amount.start) or \
            (_NAME_COMMA.search(text, max(0, amount.start - 40), amount.start) and text.startswith(",", amount.end)):
        return amount.end  # "aged 34", "at the age of 34", "died at 87", "Mr Boateng, 53,"
    return None


def _names_a_person(question: str) -> bool:
    """"Who is Norbert Reithofer?", "who was philip i": "who is" and a name, nothing else (not
    "Who was Margaret's brother?", "Who is VideoGuard owned by?", "Who was RCA president?")."""
    found = _WHO_IS.match(question) or _IS_WHO.match(question)  # "peter mcguigan is who": the same
    if found is None:
        return False
    cased = any(ch.isupper() for ch in question[1:])
    words = found.group(1).split()
    if len(words) > 1 and words[-1].casefold() in _ASKED_ROLES:
        return False  # "who is fannie maes auditor": who holds the role, not what a person is
    for word in words:
        low = word.casefold()
        if (low.endswith(("'s", "’s")) or low in STOP_WORDS or low in _VERBISH or low.endswith("ed")
                or (cased and not word[:1].isupper())):
            return False
    return True


_WHO_HOLDS = re.compile(r"^\W*who\s+(?:is|was|are|were|'s|’s)\b", re.I)
_WHICH_ROLE = re.compile(_WHICH_WHO, re.I)


def asked_role(question: str) -> str:
    """The stem of the role a "who" question asks who holds: "which wales centre ...", "who is
    rems bass player", "bluewater spokesman" (so "Wales centre Sonny Parker", the name the role
    stands before, is its holder); "": none."""
    question = question.strip()
    if (found := _WHICH_ROLE.search(question)) is not None:
        return stem_of((found.group(1) or found.group(2)).casefold())
    if _WHO_HOLDS.match(question) or _WH_WORD.search(question) is None:
        roles = [word for word in text_words(question) if word in _ASKED_ROLES]
        return stem_of(roles[-1]) if roles else ""
    return ""


def asks_agent(question: str) -> bool:
    """True when a "who" question asks who did something ("Who tackled Mike Tolbert?", "Who is
    VideoGuard owned by?"), so the name after a passive's "by" is its answer; not for "Who was
    sacked?" or "Who did Carolina beat?"."""
    return bool(_ASKS_AGENT.search(question.strip()))


def question_type(question: str) -> str | None:
    """The type of phrase the question asks for (PERSON, DATE, NUMBER, PLACE, PLACE_NAME, CAUSE,
    FATE; ROLE for "who is <a name>"; NAME, SAID and REACTION, marked only); None: any."""
    question = question.strip()
    if _names_a_person(question):
        return ROLE
    what = _WHAT_BEFORE.search(question)  # found once: not searched again before each of 20,000 "when"s
    after = what.end() if what is not None else len(question) + 1
    matches = [(m.start(), entry[0]) for entry in _QUESTION_TYPES for m in entry[-1].finditer(question)
               if (m.start() == 0 or question[m.start()].islower())  # "Doctor Who's ..." names a show
               and not (len(entry) == 3 and m.start() >= after)]
    typed = [m for m in matches if m[1] != NAME]  # "What is the name of the city where ...": a place
    if any(kind == RANK for _, kind in typed):  # its "where" asks for no place
        return RANK
    if not matches and _WH_WORD.search(question) is None:  # "hassan kidnap date", not "what date ..."
        return None if (noun := _asked_noun(question)) is None else noun[0]
    return min(typed or matches)[1] if matches else None


@lru_cache(maxsize=65_536)
def _stems(phrase: str) -> tuple[str, ...]:
    """The stems of a phrase's words, split as the question's are (the analyzer's words: "O'Neill"
    is one word, as in the question's stems it is compared with). Cached: the same words of the
    same sentences are looked up again by every question that reaches them."""
    return tuple(stem_of(w) for w in ANALYZER.words(phrase))


def _known(stem: str, asked: Collection[str]) -> bool:
    return not stem or stem in asked or stem in STOP_WORDS


def _new(text: str, start: int, end: int, asked: Collection[str]) -> bool:
    """True when the phrase holds a word the question does not."""
    return not all(_known(stem, asked) for stem in _stems(text[start:end]))


class _Word(NamedTuple):
    """A word of a capitalised run: its span in the run, and as written."""

    start: int
    end: int
    text: str


@lru_cache(maxsize=65_536)
def _name_runs(text: str) -> tuple[tuple[int, tuple[_Word, ...]], ...]:
    """The capitalised runs of a text, each with its start and words: what does not depend on the
    question, found once for a sentence that many questions reach."""
    return tuple((m.start(), tuple(_Word(w.start(), w.end(), w.group(0)) for w in _RUN_WORD.finditer(m.group(0))))
                 for m in _NAME.finditer(text))


def _names(text: str, asked: Collection[str], place: bool, person: bool = False) -> list[Phrase]:
    """The names of `text` a question (`asked`: its stems) does not already say; `place`: only those after a
    place preposition; `person`: not the rest of a name the question says (_continues)."""
    if _SHOUTED.fullmatch(text):
        return []  # a wire headline in capitals ("FRENCH UNIONS CALL RAIL STRIKE") names nothing by its capitals
    out = []
    runs = _name_runs(text)
    opening = _opening(text)
    for n, (run_start, run) in enumerate(runs):
        if run_start < opening:
            continue  # a wire lead's dateline: "LONDON, Nov 12 (Reuters) - " names no answer
        known = _known_words(run, asked)
        first = 0
        while first < len(run) and known[first]:  # "Federal Reserve Board Vice ..."
            first += 1
        owned = not (person and run[-1].text.casefold() in _EVENTS)  # "Spain's Davis Cup": an event's side
        words = run[first:first + _owner_end(run[first:], known[first:])] if owned else run[first:]
        if person and _continues(run, first):
            continue
        if not words or (len(words) == 1 and words[0].text.lower().strip(".,") in _NOT_NAMES):
            continue
        if not place and first > 1 and run[first - 1].text in ("of", "for"):
            continue  # "the Police Federation of England and Wales" for "the police federation": the body asked about
        if not place and _adjective(text, run_start, run):
            continue
        if all(known[first:]) or _titled(words, known[first:]) or (not place and _apposed(text, runs, n)) \
                or (first and all(w.text.casefold().strip(".,") in _FORMS for w in words)) \
                or (not place and n + 1 < len(runs)
                                  and _DESCRIBES.fullmatch(text, run_start + run[-1].end, runs[n + 1][0])
                                  and not _clause_between(text[run_start + run[-1].end:runs[n + 1][0]])):
            continue  # "Super Bowl XLVII" for "Super Bowl 50"; "American Idol" of "American Idol presenter Ryan Seacrest"
        start, end = run_start + words[0].start, run_start + words[-1].end
        if text[max(start, end - 2):end] in ("'s", "’s"):
            end -= 2  # "London's 2012 bid": the place is London
        while end > start and text[end - 1] in ".'’-":
            end -= 1
        if place and not _PLACE_BEFORE.search(text, max(0, start - 20), start):
            continue
        if start == run_start == opening and _opens_only(words) and not _acts(text, words):
            words = words[1:]  # the sentence's first word has a capital whatever it is: "Like Alice ..."
            while words and words[0].text in ("of", "and", "the", "for"):
                words = words[1:]  # "One of Japan's": Japan
            if not words:
                continue
            start = run_start + words[0].start
        if _new(text, start, end, asked):
            out.append(Phrase(start, end))
    return out


def _owner_end(words: tuple[_Word, ...], known: Sequence[bool]) -> int:
    """How many of a run's words name it: up to an owner whose thing is all the question's words
    ("Wang Zhen's Nong Shu" for "Who wrote the Nong Shu?": Wang Zhen, whose it is), else all."""
    for k in range(len(words) - 2, -1, -1):
        if not known[k + 1]:
            break
        if words[k].text.endswith(("'s", "’s", "s'", "s’")) and not known[k]:
            return k + 1
    return len(words)


def _continues(run: tuple[_Word, ...], first: int) -> bool:
    """Whether the new words of a run go on with a name the question says, its first `first` words
    ("AFC Championship Game" for "Who lost in the AFC Championship?", "ABC Television", "Super Bowl V",
    "Dick Clark's New Year's Rockin' Eve"): the rest of the question's own thing, no one who did
    anything. Not after or before a role or a title the question says or the run holds ("Prime
    Minister Tony Blair" for "who is the prime minister", "Sundance Institute Founder Robert Redford"),
    nor where a particle joins the two ("Han Chinese and Khitan": another people)."""
    if not 0 < first < len(run) or not run[first].text[:1].isupper() or not run[first - 1].text[:1].isupper():
        return False  # "BSkyB and Virgin Media", "Fragments of Hadrian's Wall": joined, not one name
    if all(w.text.casefold() in STOP_WORDS for w in run[:first]):
        return False  # "The Beatles": only "the" is the question's
    return not any(_roleish(w.text) for w in run)


#: a rank before a name that _ROLE does not hold ("patron Saint Nicolas", "Duke William")
_RANKS = frozenset("saint st emperor duke duchess sultan lord lady sir count earl baron tsar czar khan".split())


def _roleish(word: str) -> bool:
    """A title or a role ("Minister", "CEO", "Coach", "Mr"): a name may follow it."""
    low = word.casefold().strip(".,'’")
    return (low in _ASKED_ROLES or low in _RANKS or low in _TITLES or bool(_HONORIFIC.fullmatch(word))
            or bool(_ROLE_WORD.fullmatch(low)))


def _opening(text: str) -> int:
    """Where a sentence's own words start: after a wire lead's dateline ("LONDON, Nov 12 (Reuters)
    - ", "HARLOW, Ore. (AP) — "), so its first word is read as a sentence's first ("Budget carrier
    Kestrel Airways"), else 0."""
    found = _DATELINE.match(text)
    return found.end() if found is not None else 0


def _roles(text: str, asked: Collection[str]) -> list[Phrase] | None:
    """What the text says the person the question names is: the apposition after their name
    (", a member of the BMW management board"), the role before it ("LSE chief executive"), or
    the name of the body it opens with ("Amazon's Robin Terrell"). None: the text does not name
    them ("Who is Safin's coach?" asks for a name)."""
    out: list[Phrase] | None = None
    for run_start, run in _name_runs(text):
        known = _known_words(run, asked)
        first = len(run)
        while first > 0 and known[first - 1]:
            first -= 1
        last = len(run)  # the question's person: the run's last words, all said by the question
        while last - first > 1 and all(_known(stem, ()) for stem in _stems(run[last - 1].text)):
            last -= 1  # "Cara Diemont of IT": the name ends before "of" (counted, not a copy a word)
        named = run[first:last]
        if not named or all(_known(stem, ()) for w in named for stem in _stems(w.text)):
            continue
        out = out or []
        if first and not _HONORIFIC.fullmatch(run[first - 1].text) \
                and (run_start or run[first - 1].text.endswith(("'s", "’s"))):  # not "Mr R. Sridharan", "Defiant Matt Williams"
            owner = Phrase(run_start, run_start + run[first - 1].end - (2 if run[first - 1].text.endswith(("'s", "’s")) else 0))
            if _new(text, *owner, asked):
                out.append(owner)
        end = run_start + named[-1].end
        after = _APPOSITION.match(text, end)
        if after is not None and _FUNCTION_WORD.match(text, after.start(1)) and not _ARTICLE.match(text, after.start(1)) \
                and not ((own := _THEIR_ROLE.fullmatch(after.group(1))) and own.group(1) in _ASKED_ROLES):
            after = None  # not ", for the Liberal Democrats"
        after = after or _OF_BODY.match(text, end) or _IS_ROLE.match(text, end)
        if after is not None and _new(text, after.start(1), after.end(1), asked):
            out.append(Phrase(after.start(1), after.end(1)))
        before = None if first else _ROLE_BEFORE.search(text, max(0, run_start - 80), run_start)
        if before is not None and before.group(2) and not text.startswith(",", end):
            before = None  # "The charity's director, Barbara Stocking, said": a comma each side
        if before is not None:
            start = before.start(1)
            while (word := _FUNCTION_WORD.match(text, start)) is not None:  # "said chief financial officer"
                start = word.end()
            for word in _RUN_WORD.finditer(text, start, before.end(1)):  # "a victory for chairman": chairman
                if (_FUNCTION_WORD.fullmatch(word.group(0)) and word.group(0) not in ("and", "or")  # "Work and pensions minister"
                        and word.end() < before.end(1)):
                    start = word.end() + 1
            if _new(text, start, before.end(1), asked):
                out.append(Phrase(start, before.end(1)))
    return sorted(out) if out is not None else None


def _said(text: str) -> list[Phrase]:
    """The words a sentence reports said: each quotation ("…", “…”; with its marks dropped), else
    the clause after a verb of saying ("Fiona Deans said the compression was lossless")."""
    quoted = []
    for m in _QUOTED.finditer(text):  # one character class, no nested repeats: linear in the text
        inner = m.group(1)
        words = inner.split()
        if len(words) >= 3 or _CALLED.search(text, max(0, m.start() - 40), m.start()):
            start = m.start(1) + len(inner) - len(inner.lstrip())
            quoted.append(Phrase(start, m.start(1) + len(inner.rstrip().rstrip(",;:").rstrip())))
    if not quoted and sum(map(text.count, '"“”')) == 1:  # a quotation split over sentences
        m = _RUNS_ON.match(text) or _OPENED.search(text) or _RAN_ON.match(text)
        inner = m.group(1).rstrip().rstrip(",;:").rstrip() if m else ""
        if len(inner.split()) >= 3:
            quoted.append(Phrase(m.start(1), m.start(1) + len(inner)))
    if quoted:
        return quoted
    # "<clause>, said X.", else "told BBC News that <clause>", else "said <clause>"
    said = _SAID_FIRST.match(text, _opening(text)) or _SAID_THAT.search(text) or _SAID_CLAUSE.search(text)
    if not said:
        return []
    end = said.end(1)  # a quotation the clause opens is closed with it: 'were "highly irresponsible"'
    if text[end:end + 1] in ('"', "”") and sum(map(text[said.start(1):end].count, '"“”')) % 2:
        end += 1
    return [Phrase(said.start(1), end)]


def _reaction(text: str) -> list[Phrase]:
    """What a sentence says someone did in reply: a verb of reacting and the rest of its clause
    ("welcomed Mr Mandelson's announcement", "reacted with anger at the announcement")."""
    return [Phrase(m.start(), m.end()) for m in _REACTING.finditer(text)][:1]


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """The spans of a sentence's quotations (inside their marks): each pair of marks, else one mark's
    quotation running on past the sentence's end or begun in a sentence before (as _said reads them)."""
    spans = [m.span(1) for m in _QUOTED.finditer(text)]
    if not spans and sum(map(text.count, '"“”')) == 1:
        m = _RUNS_ON.match(text) or _OPENED.search(text) or _RAN_ON.match(text)
        spans = [m.span(1)] if m else []
    return spans


def is_quotation(text: str, phrase: Phrase) -> bool:
    """Whether the phrase (of _said) is a quotation's words, not a clause reported in the writer's."""
    return any(a <= phrase.start < b for a, b in quoted_spans(text))


def asked_speaker(question: str) -> frozenset[str]:
    """The terms of who a "what did X say / how did X respond" question asks the words of ("what did
    eddie osullivan say about the try": eddi, osullivan); empty: it names no one."""
    found = _ASKED_SPEAKER.search(question.strip())
    return frozenset(_bare(t) for t in tokenize(found.group(1))) if found else frozenset()


def _same_name(term: str, speaker: Collection[str]) -> bool:
    """Whether a sentence's term is one of the speaker's, as typed or as corrected ("osullivan", or
    "sullivan" the speller searched for, both "O'Sullivan")."""
    bare = _bare(term)
    return bare in speaker or any(len(name) >= 5 and bare.endswith(name) for name in speaker)


def _bare(term: str) -> str:
    """A term without its apostrophes: "osullivan" typed in a hurry is "O'Sullivan"."""
    return term.replace("'", "").replace("’", "")


def said_by(text: str, speaker: Collection[str], named: bool, continuing: bool) -> list[Phrase]:
    """The quotations of a sentence when the sentence gives them to `speaker` (a question's terms,
    asked_speaker): by one of its names outside the quotation ('..., said Sully.', 'Blum said: "...'),
    by "he" or "she" when the sentence before names them (`named`: '"...," he said.'), or, for
    the very next sentence after one reporting them (`continuing`), by nothing at all (a quotation
    alone: their words going on); [] when another speaker's or none's."""
    quotes = [p for p in _said(text) if is_quotation(text, p)]
    if not quotes:
        return []
    rest = _outside(text, quoted_spans(text))
    if any(_same_name(term, speaker) for term in tokenize(rest)):
        return quotes
    if named and _PRONOUN_SAID.search(rest):
        return quotes
    return quotes if continuing and not re.search(r"[A-Za-z]", rest) else []


def attribution(text: str) -> str:
    """How a sentence gives its quotation to a speaker when it names none: "runs on" (a quotation
    opened and not closed: the sentence after names them, '"We will fight tooth and nail ...'), "he"
    ('"...," he said.', 'He said: "...') or "none" (a quotation alone: the speaker is a sentence
    before); "": it has no quotation, or names its speaker."""
    spans = quoted_spans(text)
    if not spans:
        return ""
    if sum(map(text.count, '"“”')) == 1 and (_RUNS_ON.match(text) or _OPENED.search(text)):
        return "runs on"
    rest = _outside(text, spans)
    if _PRONOUN_SAID.search(rest):
        return "he"
    return "none" if not re.search(r"[A-Za-z]", rest) else ""


def _outside(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The text but its quotations."""
    outside, last = [], 0
    for a, b in spans:
        outside.append(text[last:a])
        last = b
    return "".join(outside) + text[last:]


def asked_speech(question: str) -> str:
    """The stem of the verb a "who said / told / urged <the words>" question asks who did
    ("who said the economy is slowing": say), so the name that says them is its answer, not a name
    the words hold; "": the question asks no such thing."""
    found = _ASKED_SPEECH.match(question.strip())
    return stem_of(found.group(1).casefold()) if found else ""


def spoke(text: str, phrase: Phrase) -> bool:
    """Whether the name at `phrase` is who says the sentence's words: the subject of a verb of
    saying ("Simon Gale said", "William Corr of the Campaign for Tobacco-Free Kids urged", "Mark
    Serle, from the PCS union said") or the name after one that ends the clause ("..., said
    Treasurer Peter Costello.", "according to Jan Ek"); not the body a speaker is "of" or "from"
    ("Campaign for Tobacco-Free Kids", "EduVision")."""
    if _SPEAKS_FOR.search(text, max(0, phrase.start - 10), phrase.start):
        return False
    if _SPOKE_AFTER.match(text, phrase.end):
        return True
    return (_SPOKE_BEFORE.search(text, max(0, phrase.start - 80), phrase.start) is not None
            and _CLAUSE_ENDS.match(text, phrase.end) is not None)


def own_names(question: str) -> tuple[tuple[str, ...], ...]:
    """The people a "who" question is itself about, each as its words' stems: a name it writes
    with "'s" ("Who recovered Tolbert's fumble?": Tolbert). A name of the sentence ending with
    one, holding all its words, is the question's own person ("Mike Tolbert"), not its answer;
    "Genghis Khan" is no answer's owner for "Who was Kublai Khan's grandfather?"; and the subject
    or object the question names beside its verb (_participants). The marked phrase is what
    support and "Sources differ" compare, so neither counts these either."""
    owners = [tuple(stem_of(w.casefold()) for w in m.group(1).split()) for m in _POSSESSOR.finditer(question)]
    return tuple(owners) + _participants(question)


def _participants(question: str) -> tuple[tuple[str, ...], ...]:
    """The people a "who did X beat" / "who beat X" question names as its verb's subject or object:
    "Carlos Moya" is no answer to "who did moya beat", nor "Lleyton Hewitt" to "who beat hewitt".
    The subject's words are each of its first one to three words up to a function word (a
    lower-case question does not say where the subject ends: "who did conchita martinez beat"); the
    object's are all of them, so "Ralph Woodward" is still who founded Woodward Park."""
    out: list[tuple[str, ...]] = []
    for pattern, prefixes in ((_ASKED_SUBJECT, True), (_ASKED_OBJECT, False)):
        found = pattern.search(question)
        words = []
        for word in found.group(1).split() if found else ():
            if word.casefold() in STOP_WORDS:
                break
            words.append(stem_of(word.casefold().strip("'’.")))
        if words:
            out.extend(tuple(words[:n]) for n in range(1, len(words) + 1)) if prefixes else out.append(tuple(words))
    return tuple(out)


def _owned(text: str, phrase: Phrase, own: Sequence[tuple[str, ...]]) -> bool:
    """Whether the name at `phrase` is one of the question's own people (own_names)."""
    words = _stems(text[phrase.start:phrase.end])
    return bool(words) and any(words[-1] == name[-1] and all(w in words for w in name) for name in own)


def _event(text: str, phrase: Phrase) -> bool:
    """Whether the name is an event or a venue ("Davis Cup", "London Marathon", "Italian Grand
    Prix", "Olympic Stadium"): what was won or where, never who won it."""
    return text[phrase.start:phrase.end].rsplit(None, 1)[-1].casefold() in _EVENTS


def _people(text: str, found: list[Phrase]) -> list[Phrase]:
    """The names of `found` that may be who the question asks for: not a place the sentence says
    something happened in ("carry the game throughout North America", "a prominent Huguenot in the
    Netherlands", "in far eastern Anatolia"). A sentence naming only such places marks none, and
    weighs as holding no name (BENCHMARKS.md "Who is no place")."""
    return [p for p in found if not _at_place(text, p.start)
            or text.startswith(("'s", "’s"), p.end)]  # "in Federer's absence" names a person


def _at_place(text: str, start: int) -> bool:
    """Whether the words before `start` are a place preposition, "the" and up to two of a
    region's words ("throughout North America", "in far eastern Anatolia"): the last few words
    read back, not a pattern tried at each of the characters before (this runs for each name of
    each sentence a "who" question reads)."""
    if not text[start - 1:start].isspace():
        return False
    # as written: "In the Sandgate area, ... resided the keelmen and their families" opens a sentence whose
    # subject may be the answer (read lower-case, the dev set's highlight-hit fell by one)
    words = text[max(0, start - 40):start].split()[-4:]
    for _ in range(2):
        if words and words[-1] in _REGION_WORDS:
            words.pop()
    if words and words[-1] == "the":
        words.pop()
    return bool(words) and words[-1].lstrip("([\"'“‘") in _AT_PLACE_WORDS


def _titled(words: Sequence[_Word], known: Sequence[bool]) -> bool:
    """True when the run is a title and a name the question says ("Mr Tsutsumi", "Now Mr
    Boateng" for a question on Tsutsumi, Boateng): the question's own person."""
    at = next((i for i, w in enumerate(words[:2]) if _HONORIFIC.fullmatch(w.text)), None)
    return at is not None and at + 1 < len(words) and all(known[at + 1:])


def _apposed(text: str, runs: Sequence[tuple[int, tuple[_Word, ...]]], n: int) -> bool:
    """True when run n is a title set off before the name it describes ("the previous High
    Commissioner, Ann Grant, ...", "Bahrain's Under-Secretary for Oil, Yousef al-Shirawi, ..."):
    a role (its last word, or an office's word before "for" / "of"), a comma, then the next run and
    a comma or the sentence's end."""
    if n + 1 >= len(runs):
        return False
    run_start, run = runs[n]
    after_start, after = runs[n + 1]
    end = after_start + after[-1].end
    return (text[run_start + run[-1].end:after_start] == ", " and _title_run(run)
            and (end >= len(text.rstrip(".!? ")) or text.startswith(",", end)))


# an office a person holds, named before what it is of or for ("Minister for Health", "Under-Secretary
# for Oil", "Governor of the Bank"): not a body's word ("Bank of England, HSBC, ..." is a list)
_OFFICE = frozenset("""secretary minister president director chairman chairwoman chair governor chief head
    commissioner ambassador spokesman spokeswoman executive officer deputy leader editor manager
    mayor chancellor speaker attorney general treasurer controller registrar""".split())


def _title_run(run: Sequence[_Word]) -> bool:
    """True when a capitalised run names an office: its last word a role, or an office's word
    (a prefix such as "Under-", "Vice-" aside) followed by "for" or "of"."""
    if _ROLE_WORD.fullmatch(run[-1].text.lower()):
        return True
    return any(after.text in ("for", "of") and word.text.lower().rsplit("-", 1)[-1] in _OFFICE
               for word, after in zip(run, run[1:]))


def _clause_between(gap: str) -> bool:
    """True when the words between two names hold a verb or a preposition (an auxiliary, a function
    word, a word ending in -ed or -ing): the first name is a clause's subject or object ("Ryan
    Giggs will captain Wales", "replacing Elway at the end of"), not a description of the second
    ("American Idol presenter Ryan Seacrest")."""
    return any((w in _VERBISH and w != "of") or w.endswith(("ed", "ing")) for w in gap.split())


def _adjective(text: str, run_start: int, run: tuple[_Word, ...]) -> bool:
    """A one-word run that modifies the lower-case word after it: a people's or faith's adjective
    ("the French version"; "A French version" opening a sentence), or any name before a noun ("A
    US judge", "PC security software", "its Sandoz unit", "Denver's defense"; not "Blair's own"), not before a verb ("Newton threw",
    "Microsoft announced", "Google says": an auxiliary, a function word, an irregular past or a
    word ending in -ed or -s)."""
    if run_start == 0 and len(run) == 2 and _opens_only(run):
        run = run[1:]
    if len(run) != 1 or _OWN.match(text, run_start + run[0].end):  # "Blair's own" names whose it is
        return False
    after = _LOWER_NEXT.match(text, run_start + run[0].end)
    if after is None:
        return False
    if _DEMONYM.fullmatch(run[0].text):
        return True
    nxt = _NEXT_WORD.match(text, after.start())
    word = nxt.group(1) if nxt else ""
    return not (word in _VERBISH or word in STOP_WORDS or word.endswith(("ed", "s")))  # not "Portsmouth during"


def _known_words(run: tuple[_Word, ...], asked: Collection[str]) -> list[bool]:
    """Which words of a capitalised run the question already says: its own words, a Roman
    numeral after a name's first word (what tells "Super Bowl XLVII" from the "Super Bowl 50"
    asked about), and the words of a name whose initials are a word of the question ("Most
    Valuable Player" for "MVP")."""
    known = [all(_known(stem, asked) for stem in _stems(w.text)) or (i > 0 and bool(_ROMAN.fullmatch(w.text)))
             for i, w in enumerate(run)]  # a numeral after a name: "MIM Holdings", "MCI" are no numerals
    capitals = [i for i, w in enumerate(run) if w.text[:1].isupper()]
    for a in range(len(capitals)):
        for b in range(a + 2, min(len(capitals), a + 6) + 1):
            if "".join(run[i].text[0] for i in capitals[a:b]).lower() in asked:
                for i in range(capitals[a], capitals[b - 1] + 1):
                    known[i] = True
    return known


def _acts(text: str, run: Sequence[_Word]) -> bool:
    """A one-word run opening the sentence is a name, common word or not, when a verb follows
    and it is no plural or abstract noun: "Ferrari won", "Verizon has won", "Norwich have
    signed", "England beat Fiji" (a team, a firm, a country), not "Officials said", "Shares fell",
    "Inflation rose", "Everyone was"."""
    if len(run) != 1:
        return False
    word = run[0].text.lower()
    nxt = _NEXT_WORD.match(text, run[0].end)
    verb = nxt.group(1) if nxt else ""
    if word.endswith("s") and not word.endswith("ss") and verb not in _SINGULAR_AUX:
        return False  # "Officials said"; "Reuters has" passes
    acted = verb in _AUXILIARIES or (verb in _VERBISH and verb not in STOP_WORDS) or \
        (verb.endswith("ed") and not verb.endswith("eed"))  # "signed", not "seed"
    return acted and word.isalpha() and not word.endswith(_ABSTRACT) and word not in _PRONOUNISH


def _opens_only(run: Sequence[_Word]) -> bool:
    """The first word of a sentence's capitalised run is no part of the name: a common word alone
    ("Officials said"), or before another capitalised word a function word, a number, an adverb
    a role or a word of the closed list ("Like Alice", "One of Japan's", "Quarterback Cam"): a common
    given name or place is kept ("Ryan Giggs will", "Robert Redford founded", "London Marathon")."""
    word = run[0].text.lower().strip(".,'’")
    if len(run) == 1:
        return _common(word)
    if len(run) == 3 and run[1].text == "of" and _ROLE_WORD.fullmatch(word) and not _AGENT_NOUN.fullmatch(word):
        return False  # "Bank of America has been banned": the body's own name
    return (word in STOP_WORDS or word in _VERBISH or word in _OPENERS or word.endswith(("ly", "ing"))
            or word.endswith(("back", "man", "woman")) or word in _TITLES or bool(_NUMBER_WORD.fullmatch(word))
            or bool(_ROLE_WORD.fullmatch(word) and not _AGENT_NOUN.fullmatch(word)))


def _common(word: str) -> bool:
    """A common English word (symspellpy's list, used at least a million times): capitalised
    only because it opens the sentence ("Officials said"), unlike "Tandler said"."""
    return word.lower().strip(".,'’") in _common_words()


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """The words of the English list (qa/retrieval/speller.py) with a count of seven digits or
    more (only the counts' lengths read: a first question pays ~30 ms, not the parse of every
    count that the speller's english_count reads one at a time; the file is read once for both)."""
    from qa.retrieval.speller import english_columns

    words, counts = english_columns()
    return frozenset(word for word, count in zip(words, counts) if len(count) >= 7)


def _causes(text: str) -> list[Phrase]:
    """Each cause marker with its clause, to the clause's end: one search for the end per clause
    end, not per marker (a sentence of 800 "after"s and no comma was read 800 times to its end)."""
    out = []
    stop, searched = None, False
    for m in _CAUSE.finditer(text):
        # the end found for an earlier marker is this one's while it lies past it; none found: none later
        if not searched or (stop is not None and stop.start() < m.end() + 1):
            stop, searched = _CLAUSE_END.search(text, m.end() + 1), True
        out.append(Phrase(m.start(), stop.start() + (1 if stop.group(0)[0] in ".!?" else 0) if stop else len(text)))
    return out


def phrases(text: str, kind: str | None, asked: Collection[str], own: Sequence[tuple[str, ...]] = ()) -> list[Phrase]:
    """The phrases of `kind` in the text that add a word to the question (`asked`: its stems),
    in order. A cause is the clause its marker opens. `own`: the question's own people
    (own_names), no answer to its "who"."""
    if kind in (DATE, NUMBER):
        return [p for p in _spans(text, kind) if _new(text, p.start, p.end, asked)]
    if kind == PERSON:
        return [p for p in _people(text, _names(text, asked, False, person=True))
                if not (own and _owned(text, p, own)) and not _event(text, p)]
    if kind in (PLACE, NAME):
        return _names(text, asked, kind == PLACE)
    if kind == PLACE_NAME:
        return _names(text, asked, True) or _names(text, asked, False)
    if kind == ROLE:  # a sentence naming the person without saying what they are has no answer
        roles = _roles(text, asked)
        return roles if roles is not None else _names(text, asked, False)
    if kind == SAID:
        return _said(text)
    if kind == REACTION:  # a quotation, else the verb of reacting, else the clause said
        said = _said(text)
        if any(is_quotation(text, p) for p in said):
            return said
        return _reaction(text) or said
    if kind == SOURCE:  # else a name, as for "who" ("A study by the Pew Internet Project found")
        return sorted(Phrase(m.start(1), m.end(1)) for pattern in (_ACCORDING, _SOURCE_AFTER)
                      for m in pattern.finditer(text)) or phrases(text, PERSON, asked, own)
    if kind in (CAUSE, FATE, RANK):
        return list(_spans(text, kind))
    return []


@lru_cache(maxsize=65_536)
def _all_dates(text: str) -> tuple[Phrase, ...]:
    """Every date of the text, a dateline's too (its day is no amount either)."""
    return tuple(Phrase(*m.span()) for m in _DATE.finditer(text))


@lru_cache(maxsize=65_536)
def _spans(text: str, kind: str) -> tuple[Phrase, ...]:
    """The phrases of a date, number, cause or fate in the text before the question is looked
    at (a number is not a year or a date's day): found once for a sentence that many questions reach."""
    if kind == DATE:  # not the dateline's: the day the story was filed answers no question in it
        dateline = _opening(text) if text[:1].isupper() else 0
        return tuple(p for p in _all_dates(text) if p.end > dateline)
    if kind == NUMBER:  # not a year, nor the day of a date ("On 15 June 1520" holds no amount)
        spans = [(m.start(), m.start() + len(m.group(0).rstrip(",."))) for m in _NUMBER.finditer(text)]
        dates = _all_dates(text) if spans else ()  # cached: the spans a "when" question reads, with the dateline's
        starts = [d.start for d in dates]  # in order, apart: only the last date starting by `a` can hold it
        spans = sorted(set(spans).union(m.span() for m in _RACE.finditer(text)))  # "2:06:41": one amount
        return _unconverted(text, tuple(Phrase(a, b) for a, b in spans
                     if not _YEAR.match(text, a, b) and (_RACE.fullmatch(text, a, b) or not _within(dates, starts, a, b))
                     and not (text[a:b].lower() == "one" and (_NO_ONE.search(text, max(0, a - 8), a)
                                                              or text.startswith(" of ", b)))  # "One of the highlights"
                     and not _NUMBERED.search(text, max(0, a - 24), a)  # "world number one", "No 1": a rank
                     and not text.startswith("/", b) and not text[max(0, a - 1):a] == "/"))  # "9/11", "24/7"
    if kind == CAUSE:
        return tuple(_causes(text))
    if kind == FATE:  # "his shot just inches wide": a noun after its determiner, no outcome
        return tuple(Phrase(*m.span()) for m in _FATE.finditer(text)
                     if not _DETERMINER.search(text, max(0, m.start() - 8), m.start()))
    return tuple(Phrase(*m.span()) for m in _RANKED.finditer(text))


def _unconverted(text: str, amounts: tuple[Phrase, ...]) -> tuple[Phrase, ...]:
    """The amounts but a sum's conversions in brackets after it: "$10,000 (£5,390)", "$17bn
    (£9.1bn; 745bn Indian rupees)" say one sum in other money, no other answer to "how much"."""
    out: list[Phrase] = []
    money, converting = None, False
    for amount in amounts:
        after = _UNIT_AFTER.match(text, amount.end)  # "745bn Indian rupees": its money named after it
        is_money = _MONEY.search(text, amount.start, amount.end) is not None or \
            (after is not None and _MONEY.search(after.group(0)) is not None)
        gap = text[money.end:amount.start] if money is not None else ""
        converting = is_money and money is not None and (
            _OPENS_CONVERSION.fullmatch(gap) is not None or (converting and _NEXT_CONVERSION.fullmatch(gap) is not None))
        if not converting:
            out.append(amount)
        money = amount if is_money else None
    return tuple(out)


def _within(dates: tuple[Phrase, ...], starts: list[int], a: int, b: int) -> bool:
    """Whether a date of `dates` (in order, none overlapping; `starts` their starts) holds a..b:
    one look-up, not a scan of the sentence's dates for each of its numbers."""
    at = bisect.bisect_right(starts, a) - 1
    return at >= 0 and b <= dates[at].end
