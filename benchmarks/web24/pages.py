"""The web24 set (#24): news pages as a browser or curl saves them, written from the stories of
stories.py (our own text) in the shapes real sites give them: menus, cookie banners, share bars,
captions, related and "Most read" lists holding other stories' headlines, comments, JSON-LD,
AMP, galleries, live blogs, WordPress, a paper's print line, the next story scrolled on to.

    python -m benchmarks.web24.pages DIR   # DIR/pages/*.html, DIR/q.tsv (question, gold, page), DIR/q.txt, DIR/expect.json

expect.json holds, per page, what the card must say (date, author, site as the page states them),
the story's paragraphs and the page's furniture (text that must never be a passage's).
"""
import datetime as dt
import html
import json
import random
import sys
from pathlib import Path

from benchmarks.web24.stories import S

rnd = random.Random(24)
e = html.escape

COOKIE = ("We use cookies to give you the best experience on our site. By clicking Accept you agree to "
          "our use of cookies as described in our cookie policy.")
NEWSLETTER = "Get the morning briefing delivered to your inbox every weekday. Sign up now"
SHARE = ["Share on Facebook", "Share on X", "Share on WhatsApp", "Copy link"]
NAV = ["Home", "News", "Sport", "Business", "Politics", "Culture", "Weather", "Puzzles"]
TITLES = [s["title"] for s in S]


def human(iso):
    if iso is None:
        return ""
    d = dt.date.fromisoformat(iso)
    return f"{d.day} {d:%B %Y}"


def furniture_html(s, most_read):
    nav = "".join(f'<li><a href="/{n.lower()}">{n}</a></li>' for n in NAV)
    head = (f'<div id="cookie-banner" class="cookie-consent"><p>{e(COOKIE)}</p><button>Accept all</button>'
            f'<button>Manage preferences</button></div>'
            f'<header class="site-header"><a class="logo" href="/">{e(s["site"])}</a><nav><ul>{nav}</ul></nav>'
            f'<form class="search"><input placeholder="Search"></form></header>')
    share = '<div class="share-bar">' + "".join(f'<a href="#" class="share">{x}</a>' for x in SHARE) + "</div>"
    related = ('<aside class="related"><h2>Related stories</h2><ul>'
               + "".join(f'<li><a href="/news/{i}">{e(h)}</a></li>' for i, h in enumerate(s["related"])) + "</ul></aside>")
    mr = ('<section class="most-read"><h2>Most read</h2><ol>'
          + "".join(f'<li><a href="/news/mr{i}">{e(h)}</a></li>' for i, h in enumerate(most_read)) + "</ol></section>")
    news = f'<div class="newsletter-promo"><p>{e(NEWSLETTER)}</p><input type="email"><button>Sign up</button></div>'
    foot = (f'<footer><p>© 2026 {e(s["site"])}. All rights reserved.</p><ul><li><a>About us</a></li>'
            f'<li><a>Contact</a></li><li><a>Terms and conditions</a></li><li><a>Privacy policy</a></li></ul></footer>')
    return head, share, related, mr, news, foot


def figure(caption, src="lead.jpg"):
    if not caption:
        return ""
    return f'<figure class="lead-image"><img src="{src}" alt=""><figcaption>{e(caption)}</figcaption></figure>'


def paras(ps):
    return "".join(f"<p>{e(p)}</p>" for p in ps)


def pull_quote(s):
    for p in s["paras"]:
        if p.startswith("\""):
            return f'<blockquote class="pullquote"><p>{e(p.split(chr(34))[1])}</p></blockquote>', p.split('"')[1]
    return "", None


def jsonld(s, author=True, modified=None, kind="NewsArticle"):
    d = {"@context": "https://schema.org", "@type": kind, "headline": s["title"],
         "datePublished": f'{s["date"]}T07:30:00+00:00',
         "publisher": {"@type": "Organization", "name": s["site"], "logo": {"@type": "ImageObject", "url": "/logo.png"}},
         "image": ["/lead.jpg"]}
    if modified:
        d["dateModified"] = modified
    if author and s["author"]:
        d["author"] = [{"@type": "Person", "name": s["author"], "url": "/profile/x"}]
    return f'<script type="application/ld+json">{json.dumps(d)}</script>'


def page(s, most_read):
    t = s["template"]
    head, share, related, mr, news, foot = furniture_html(s, most_read)
    title, site, author, date = s["title"], s["site"], s["author"], s["date"]
    og = (f'<meta property="og:title" content="{e(title)}"><meta property="og:site_name" content="{e(site)}">'
          f'<meta property="og:type" content="article">')
    pq, pq_text = pull_quote(s)
    body_ps = s["paras"]
    furniture = [COOKIE, NEWSLETTER, *SHARE, *s["related"], *most_read, f"© 2026 {site}", "Related stories", "Most read"]
    if s["caption"]:
        furniture.append(s["caption"])
    expect = {"date": date, "author": author, "site": site}
    byline = f'<p class="byline">By <a rel="author" href="/profile/a">{e(author)}</a></p>' if author else ""
    timetag = f'<time datetime="{date}T09:14:00Z">{human(date)}</time>'
    if t == "article":
        main = (f'<article><header><h1>{e(title)}</h1>{byline}{timetag}</header>{figure(s["caption"])}'
                f'{paras(body_ps[:2])}{pq}{paras(body_ps[2:])}{share}</article>{related}')
        meta = og + f'<meta property="article:published_time" content="{date}T09:14:00Z">'
    elif t in ("jsonld", "jsonld_updated", "jsonld_noauthor"):
        upd = f"{date}T16:05:00+00:00" if t == "jsonld_updated" else None
        meta = og + jsonld(s, author=t != "jsonld_noauthor", modified=upd)
        stamp = (f'<div class="meta"><span class="published">Published {human(date)}</span> · '
                 f'<span class="updated">Updated 3 hours ago</span></div>') if t == "jsonld_updated" else \
            '<div class="meta"><span class="updated">Updated 3 hours ago</span></div>'
        by = f'<div class="author-block"><span class="author-name">{e(author)}</span><span class="role">Reporter</span></div>' \
            if author and t != "jsonld_noauthor" else ""
        main = (f'<main><div class="headline-wrap"><h1 class="headline">{e(title)}</h1>{stamp}{by}</div>'
                f'{figure(s["caption"])}<div class="article-body">{paras(body_ps[:3])}{news}{paras(body_ps[3:])}</div>'
                f'{share}{related}</main>')
        furniture.append("Updated 3 hours ago")
        if t == "jsonld_noauthor":
            expect["author"] = None
    elif t == "noarticle":
        meta = (og + f'<meta name="author" content="{e(author)}">'
                f'<meta property="article:published_time" content="{date}T07:00:00+00:00">')
        divs = "".join(f'<div class="text-block"><p>{e(p)}</p></div>' for p in body_ps)
        main = (f'<div id="content" class="story"><div class="story-head"><h1>{e(title)}</h1>'
                f'<div class="byline">By {e(author)} | {human(date)}</div></div>'
                f'<div class="image-wrap"><img src="a.jpg"><span class="caption">{e(s["caption"])}</span></div>'
                f'{divs}{share}</div><div class="sidebar">{related}</div>')
    elif t == "amp":
        meta = og + jsonld(s) + '<link rel="canonical" href="https://example.org/news/x"><style amp-custom>body{}</style>'
        main = (f'<article class="amp-article"><h1>{e(title)}</h1><div class="amp-byline">By {e(author)}</div>'
                f'<time datetime="{date}">{human(date)}</time>'
                f'<figure><amp-img src="lead.jpg" width="800" height="450" layout="responsive"></amp-img>'
                f'<figcaption>{e(s["caption"])}</figcaption></figure>{paras(body_ps)}'
                f'<amp-social-share type="twitter"></amp-social-share><amp-social-share type="facebook"></amp-social-share>'
                f'</article>{related}')
    elif t == "gallery":
        caps = s.get("captions") or [s["caption"]]
        furniture += caps
        figs = "".join(f'<figure class="gallery-item"><img src="g{i}.jpg"><figcaption><span class="count">Image {i + 1} of {len(caps)}</span> '
                       f'{e(c)}</figcaption></figure>' for i, c in enumerate(caps))
        meta = og + f'<meta property="article:published_time" content="{date}T10:00:00Z">'
        if author:
            meta += f'<meta name="author" content="{e(author)}">'
        main = f'<article class="gallery"><h1>{e(title)}</h1>{timetag}{paras(body_ps)}<div class="gallery-grid">{figs}</div>{share}</article>{related}'
        if author == "Staff photographers":
            expect["author"] = "Staff photographers"
    elif t == "gallery_light":
        meta = og + f'<meta name="author" content="{e(author)}"><meta name="date" content="{date}">'
        caps = [s["caption"], "Fans and families lined the route.", "The winner after the finish."]
        furniture += caps
        gal = "".join(f'<figure><img src="g{i}.jpg"><figcaption>{e(c)}</figcaption></figure>' for i, c in enumerate(caps))
        main = (f'<article><h1>{e(title)}</h1><p class="byline">By {e(author)}</p>{paras(body_ps[:2])}'
                f'<div class="inline-gallery">{gal}</div>{paras(body_ps[2:])}</article>{related}')
    elif t == "liveblog":
        meta = og + jsonld(s, kind="LiveBlogPosting")
        keyev = ('<div class="key-events"><h2>Key events</h2><ul><li><a href="#p3">Fuel duty frozen</a></li>'
                 '<li><a href="#p5">NHS gets £3.1bn</a></li></ul></div>')
        furniture += ["Key events", "Fuel duty frozen", "NHS gets £3.1bn", "LIVE"]
        posts = "".join(f'<div class="block" id="p{i}"><p class="block-time"><time>{tm}</time></p>'
                        f'<div class="block-body"><p>{e(txt)}</p></div></div>' for i, (tm, txt) in enumerate(s["posts"]))
        main = (f'<article><span class="badge">LIVE</span><h1>{e(title)}</h1><p class="byline">By {e(author)}</p>'
                f'{figure(s["caption"])}{keyev}<div class="live-blog">{posts}</div></article>{related}')
        s["paras"] = [txt for _, txt in s["posts"]]
    elif t == "comments":
        meta = og + f'<meta property="article:published_time" content="{date}T08:00:00Z"><meta name="author" content="{e(author)}">'
        com = "".join(f'<div class="comment"><span class="comment-author">{e(a)}</span><p>{e(c)}</p>'
                      f'<span class="comment-actions">Reply · Report</span></div>' for a, c in s["comments"])
        furniture += [c for _, c in s["comments"]] + [a for a, _ in s["comments"]]
        main = (f'<article><h1>{e(title)}</h1>{byline}{timetag}{figure(s["caption"])}{paras(body_ps)}{share}</article>'
                f'<section id="comments" class="comments"><h2>Comments ({len(s["comments"]) * 7})</h2>{com}</section>{related}')
    elif t == "related_mid":
        meta = og + f'<meta property="article:published_time" content="{date}T06:45:00Z"><meta name="author" content="{e(author)}">'
        inline = ('<div class="related-inline"><h3>Read more</h3><ul>'
                  + "".join(f'<li><a href="/n/{i}">{e(h)}</a></li>' for i, h in enumerate(s["related"])) + "</ul></div>")
        main = (f'<article><h1>{e(title)}</h1>{byline}{timetag}{figure(s["caption"])}{paras(body_ps[:2])}{inline}'
                f'{paras(body_ps[2:])}{share}</article>')
    elif t == "og_author_url":
        meta = (f'<meta property="og:title" content="{e(title)}"><meta property="og:site_name" content="{e(site)}">'
                f'<meta property="article:author" content="https://www.facebook.com/{s["slug"]}writer">'
                f'<meta property="article:published_time" content="{date}T05:00:00Z">')
        main = (f'<article><h1>{e(title)}</h1><div class="byline"><a rel="author" href="/profile/{s["slug"]}">{e(author)}</a>'
                f'<span class="role">, Business correspondent</span></div>{figure(s["caption"])}'
                f'{paras(body_ps)}{share}</article>{related}')
    elif t == "bylinetext":
        meta = ""
        main = (f'<div class="main"><h1>{e(title)}</h1><div class="body"><p><strong>By {e(author)}</strong>, Local Democracy Reporter</p>'
                f'<p>Published {human(date)}</p>{figure(s["caption"])}{paras(body_ps)}</div>{share}</div>{related}')
    elif t == "meta_author_only":
        meta = og + f'<meta name="author" content="{e(site)}">'
        expect["author"] = None
        main = (f'<article><h1>{e(title)}</h1><p class="dateline">Published: {human(date)}, 14:02</p>'
                f'{figure(s["caption"])}{paras(body_ps)}{share}</article>{related}')
    elif t == "bbc":
        meta = og + jsonld(s)
        fig = (f'<figure><div class="image"><img src="a.jpg"><span class="credit"><span class="visually-hidden">Image source, </span>{e(s["credit"])}</span></div>'
               f'<figcaption><span class="visually-hidden">Image caption, </span>{e(s["caption"])}</figcaption></figure>')
        furniture += [s["credit"], "Image source", "Image caption", "Related topics", "More on this story"]
        topics = '<div class="topics"><h2>Related topics</h2><ul><li><a>NHS</a></li><li><a>Midshire</a></li></ul></div>'
        more = ('<div class="more"><h2>More on this story</h2><ul>' + "".join(f"<li><a>{e(h)}</a></li>" for h in s["related"]) + "</ul></div>")
        main = (f'<main><article><header><h1>{e(title)}</h1><div class="byline-block"><time datetime="{date}T06:12:44.000Z">Published 3 hours ago</time>'
                f'<div><span>By {e(author)}</span><span>Regional News Network, Kingsford</span></div></div></header>'
                f'{fig}{paras(body_ps[:3])}{topics}{paras(body_ps[3:])}</article>{more}</main>')
        furniture.append("Published 3 hours ago")
    elif t == "guardian":
        meta = og + f'<meta property="article:published_time" content="{date}T11:00:00.000Z"><meta name="author" content="{e(author)}"><meta name="description" content="{e(s["standfirst"])}">'
        credit = s["credit"]
        furniture += [credit, "Explore more on these topics", "Reuse this content", "Most viewed"]
        main = (f'<main><article><h1>{e(title)}</h1><div class="standfirst"><p>{e(s["standfirst"])}</p></div>'
                f'<figure><img src="a.jpg"><figcaption>{e(s["caption"])} {e(credit)}</figcaption></figure>'
                f'<address><a rel="author" href="/profile/x">{e(author)}</a></address><time datetime="{date}T11:00:00Z">{human(date)} 11.00 GMT</time>'
                f'<div class="article-body-commercial-selector">{paras(body_ps)}</div>'
                f'<div class="submeta"><h2>Explore more on these topics</h2><ul><li><a>Pensions</a></li><li><a>Politics</a></li></ul>'
                f'<a>Share</a><a>Reuse this content</a></div></article>'
                f'<section><h2>Most viewed</h2><ol>' + "".join(f"<li><a>{e(h)}</a></li>" for h in s["related"]) + '</ol></section></main>')
    elif t == "nyt":
        meta = og + f'<meta property="article:published_time" content="{date}T09:00:05.000Z"><meta name="byl" content="By {e(author)}">'
        print_line = (f"A version of this article appears in print on {human(date)}, Section A, Page 18 of the New York edition "
                      f"with the headline: {title}.")
        furniture += ["Advertisement", "SKIP ADVERTISEMENT", "Supported by", "Share full article", "Listen to this article", print_line]
        ad = '<div class="ad-wrapper"><p>Advertisement</p><p><a href="#after">SKIP ADVERTISEMENT</a></p></div>'
        main = (f'<div id="site-content"><p>Advertisement</p><article><header><p>Supported by</p><h1>{e(title)}</h1>'
                f'<div><button>Share full article</button><button>Listen to this article · 4:12 min</button></div>'
                f'<p class="byline">By <span>{e(author)}</span></p><time datetime="{date}">{human(date)}</time></header>'
                f'<section name="articleBody">{paras(body_ps[:2])}{ad}{paras(body_ps[2:])}</section>'
                f'<div class="print-info"><p>{e(print_line)}</p></div></article></div>')
    elif t == "wordpress":
        meta = og + '<meta name="generator" content="WordPress 6.5">'
        furniture += ["Leave a comment", "Share this:", "Like this:", "Loading...", "Posted in", "admin", "Tags:", s["caption"]]
        rel = ('<div id="jp-relatedposts"><h3>Related</h3>' + "".join(
            f'<div class="jp-relatedposts-post"><h4><a>{e(h)}</a></h4><p class="date">{human(date)}</p><p class="context">In "News"</p></div>'
            for h in s["related"]) + "</div>")
        main = (f'<div id="primary"><article class="post type-post"><header class="entry-header"><h1 class="entry-title">{e(title)}</h1>'
                f'<div class="entry-meta">Posted on <a><time class="entry-date published" datetime="{date}T10:31:00+00:00">{human(date)}</time></a>'
                f' by <span class="author vcard"><a class="url fn n" href="/author/admin">admin</a></span></div></header>'
                f'<div class="entry-content">{paras(body_ps[:2])}<div class="wp-caption"><img src="a.jpg"><p class="wp-caption-text">{e(s["caption"])}</p></div>'
                f'{paras(body_ps[2:])}<div class="sharedaddy"><h3>Share this:</h3><ul><li>Twitter</li><li>Facebook</li></ul></div>'
                f'<div class="sharedaddy"><h3>Like this:</h3><p>Loading...</p></div>{rel}</div>'
                f'<footer class="entry-footer">Posted in <a>News</a> Tags: <a>village</a> <a>Leave a comment</a></footer></article></div>')
        expect["author"] = None
    elif t == "nextstory":
        other = next(o for o in S if o["slug"] == s["next_story"])
        furniture += [other["title"]] + other["paras"][:2] + ["Next article"]
        meta = og + f'<meta property="article:published_time" content="{date}T08:00:00Z"><meta name="author" content="{e(author)}">'
        main = (f'<main><article class="story" id="story-1"><h1>{e(title)}</h1>{byline}{timetag}{figure(s["caption"])}{paras(body_ps)}{share}</article>'
                f'<div class="next-article"><p class="label">Next article</p><article class="story" id="story-2"><h2>{e(other["title"])}</h2>'
                f'{paras(other["paras"][:2])}</article></div></main>{related}')
    elif t == "microdata":
        meta = f'<meta property="og:site_name" content="{e(site)}">'
        main = (f'<div itemscope itemtype="https://schema.org/NewsArticle"><h1 itemprop="headline">{e(title)}</h1>'
                f'<meta itemprop="datePublished" content="{date}T07:20:00Z"><span itemprop="author" itemscope itemtype="https://schema.org/Person">'
                f'By <span itemprop="name">{e(author)}</span></span><span class="ago">Posted 5 hours ago</span>'
                f'<div itemprop="articleBody">{figure(s["caption"])}{paras(body_ps)}</div>'
                f'<div class="author-bio"><p>{e(author)} is the Star\'s health reporter. Contact him at newsdesk@kingsfordstar.example</p></div></div>{related}')
        furniture += ["Posted 5 hours ago", "is the Star's health reporter"]
    elif t == "readmore":
        meta = og + f'<meta property="article:published_time" content="{date}T07:00:00Z"><meta name="author" content="{e(author)}">'
        r = s["related"]
        furniture += ["READ MORE", "Also read", "Continue reading below", "Have your say", "Should the lane be removed?"]
        main = (f'<article><h1>{e(title)}</h1>{byline}{timetag}{figure(s["caption"])}{paras(body_ps[:1])}'
                f'<p><strong>READ MORE:</strong> <a href="/a">{e(r[0])}</a></p>{paras(body_ps[1:3])}'
                f'<p class="ad-label">Continue reading below</p><p>Also read | <a href="/b">{e(r[1])}</a></p>'
                f'<div class="poll"><h3>Have your say</h3><p>Should the lane be removed?</p><button>Yes</button><button>No</button></div>'
                f'{paras(body_ps[3:])}{share}</article>')
    elif t == "comments_nodate":
        meta = ""
        expect["date"], expect["site"] = None, site
        com = "".join(f'<li class="comment"><div class="comment-author">{e(a)}</div><div class="comment-meta"><span class="date">{d}</span></div>'
                      f'<div class="comment-content"><p>{e(c)}</p></div></li>' for (a, c), d in zip(s["comments"], s["comment_dates"]))
        furniture += [c for _, c in s["comments"]] + s["comment_dates"]
        main = (f'<div id="primary"><article><h1>{e(title)}</h1><p class="byline">By {e(author)}</p>{paras(body_ps)}</article>'
                f'<div id="comments" class="comments-area"><h2>2 thoughts on this</h2><ol class="comment-list">{com}</ol></div></div>')
    elif t == "teaser_nodate":
        meta = f'<meta property="og:site_name" content="{e(site)}">'
        expect["date"] = None
        teas = "".join(f'<li><a href="/t{i}">{e(h)}</a> <time datetime="2025-0{i + 1}-1{i}">1{i} {["January", "February"][i]} 2025</time></li>'
                       for i, h in enumerate(s["related"]))
        main = (f'<main><article><h1>{e(title)}</h1><p class="byline">By {e(author)}</p>{paras(body_ps)}{share}</article>'
                f'<aside class="most-read"><h2>Most read</h2><ul>{teas}</ul></aside></main>')
    elif t == "span_live":
        meta = og + f'<meta property="article:published_time" content="{date}T22:00:00Z"><meta name="author" content="{e(author)}">'
        posts = "".join(f'<div class="live-post"><span class="post-time">{tm}</span><div class="post-body"><p>{e(txt)}</p></div></div>'
                        for tm, txt in s["posts"])
        main = f'<article><h1>{e(title)}</h1><p class="byline">By {e(author)}</p><div class="live-feed">{posts}</div></article>'
        s["paras"] = [f"{tm} {txt}" for tm, txt in s["posts"]]
    elif t == "video_credit":
        meta = og + f'<meta property="article:published_time" content="{date}T12:00:00Z"><meta name="author" content="{e(author)}">'
        furniture += ["Getty Images", "Watch: The moment the lifeboat reached the kayaker", "Duration 0:58", "Photograph: RNLI/Sorren"]
        main = (f'<article><h1>{e(title)}</h1><p class="byline">By {e(author)}</p>{paras(body_ps[:1])}'
                '<div class="media"><img src="a.jpg"><span class="credit">Getty Images</span></div>'
                '<div class="video-player"><p class="video-title">Watch: The moment the lifeboat reached the kayaker</p><p>Duration 0:58</p></div>'
                f'{paras(body_ps[1:3])}<p>Photograph: RNLI/Sorren</p>{paras(body_ps[3:])}{share}</article>')
    elif t == "paywall":
        meta = og + f'<meta property="article:published_time" content="{date}T06:00:00Z"><meta name="author" content="{e(author)}">'
        furniture += ["This article is for subscribers only", "Log in"]
        main = (f'<article><h1>{e(title)}</h1><p class="byline">By {e(author)}</p>{paras(body_ps)}'
                '<div class="paywall"><p>This article is for subscribers only. Subscribe now for £1 a week to keep reading.</p><a>Log in</a></div></article>')
    elif t == "kicker_titlesite":
        meta = f'<meta property="article:published_time" content="{date}T09:00:00Z">'
        main = (f'<article><h1>{e(title)}</h1><p class="byline">By <a rel="author">{e(author)}</a></p>{paras(body_ps)}{share}</article>{related}')
    else:
        raise ValueError(t)
    doc = (f'<!DOCTYPE html><html lang="en"{" amp" if t == "amp" else ""}><head><meta charset="utf-8">'
           f'<title>{e(title)} | {e(site)}</title>{meta}</head><body>{head}{main}{news}{mr}{foot}</body></html>')
    return doc, furniture, expect, pq_text


def main(folder: Path) -> None:
    out = folder / "pages"
    out.mkdir(parents=True, exist_ok=True)
    rows, expect = [], {}
    for s in S:
        most_read = rnd.sample([x for x in TITLES if x != s["title"]], 5)
        doc, furniture, exp, pq = page(s, most_read)
        name = f'{s["slug"]}.html'
        (out / name).write_text(doc, encoding="utf-8")
        expect[name] = {"meta": exp, "furniture": furniture, "paras": s["paras"], "template": s["template"], "pull_quote": pq}
        for q, gold in s["questions"]:
            rows.append(f"{q}\t{gold}\t{name}")
    (folder / "q.tsv").write_text("\n".join(rows) + "\n")
    (folder / "q.txt").write_text("".join(r.split("\t")[0] + "\n" for r in rows))
    (folder / "expect.json").write_text(json.dumps(expect, indent=1))
    print(len(S), "pages", len(rows), "questions")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
