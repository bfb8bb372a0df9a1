"""A minimal Scrapy spider reading the generated FlaskBB forum: what repapp is measured against.

It extracts the same fields as repapp's engine, with Scrapy's own CSS selectors: per thread
page the title and pagination, per post its id, permalink, author, date, text and HTML, per
listing row the thread, its posts and views. Items go nowhere (no pipeline, no feed): Scrapy
is measured at its cheapest. Run as a program; it prints its figures as one JSON line:

    python -m bench.scrapy_spider START_URLS_FILE
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess


def _cpu() -> float:
    """Return this process's user + system CPU seconds."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class ForumSpider(scrapy.Spider):
    """Read listings and every page of every thread they are given."""

    name = "bench_forum"
    custom_settings = {
        "LOG_LEVEL": "ERROR",
        "ROBOTSTXT_OBEY": False,  # politeness off, as for repapp
        "RETRY_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
    }

    def __init__(self, start_urls: list[str], **kwargs: object) -> None:
        """Keep the start URLs and zero the counters."""
        super().__init__(**kwargs)
        self.start_urls = start_urls
        self.pages = self.items = 0
        self.started = self.cpu_started = self.wall = self.cpu = 0.0

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        """Hook the open, close and item signals for the figures."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.opened, signal=signals.spider_opened)
        crawler.signals.connect(spider.closed_, signal=signals.spider_closed)
        crawler.signals.connect(spider.scraped, signal=signals.item_scraped)
        return spider

    def opened(self, spider) -> None:
        """Start the clocks when crawling starts."""
        self.started, self.cpu_started = time.perf_counter(), _cpu()

    def closed_(self, spider) -> None:
        """Stop the clocks when crawling ends."""
        self.wall, self.cpu = time.perf_counter() - self.started, _cpu() - self.cpu_started

    def scraped(self, item, response, spider) -> None:
        """Count an item."""
        self.items += 1

    def parse(self, response):
        """Route a page to the listing or the thread parser."""
        self.pages += 1
        if "/forum/" in response.url:
            yield from self.parse_listing(response)
        else:
            yield from self.parse_thread(response)

    def parse_listing(self, response):
        """Yield each thread row with its counters."""
        for row in response.css("div.forum-body div.forum-row"):
            link = row.css("div.topic-name > a")
            if not link:
                continue
            stats = [" ".join(s.split()) for s in row.css("div.topic-stats::text").getall() if s.strip()]
            yield {"title": link.css("::text").get(), "url": response.urljoin(link.attrib["href"]),
                   "posts": stats[0] if stats else None, "views": stats[1] if len(stats) > 1 else None}

    def parse_thread(self, response):
        """Yield each post of a thread page and follow the thread's other pages."""
        title = " ".join(response.css("div.topic-header > a::text").get("").split())
        page = response.css("ul.pagination li.active a::text").get()
        for post in response.css("div.topic-body > div.post-row"):
            content = post.css("div.post-content")
            yield {
                "thread": title,
                "page": page,
                "id": content.attrib.get("id", "").removeprefix("pid"),
                "url": response.urljoin(post.css("div.post-meta a::attr(href)").get("")),
                "author": " ".join(post.css("div.author-name ::text").getall()).strip(),
                "posted_at": post.css("div.post-meta time::attr(datetime)").get(),
                "text": " ".join(" ".join(
                    content.xpath(".//text()[not(ancestor::div[contains(@class, 'post-signature')])]").getall()
                ).split()),
                "html": content.get(),
            }
        if page == "1":  # the first page links every other page; page 1 is the start URL
            for href in dict.fromkeys(response.css("ul.pagination a.page-link::attr(href)").getall()):
                if "page=" in href and not href.endswith("page=1"):
                    yield response.follow(href, callback=self.parse)


def main(argv: list[str]) -> int:
    """Crawl the URLs listed in the file named by argv[1]; print the figures as JSON."""
    start_urls = Path(argv[1]).read_text().split()
    process = CrawlerProcess(settings={"LOG_LEVEL": "ERROR"})
    crawler = process.create_crawler(ForumSpider)
    process.crawl(crawler, start_urls=start_urls)
    process.start()
    spider = crawler.spider
    stats = crawler.stats.get_stats()
    print(json.dumps({
        "pages": spider.pages, "items": spider.items, "wall": spider.wall, "cpu": spider.cpu,
        "responses": stats.get("downloader/response_count", 0),
        "errors": stats.get("spider_exceptions/count", 0) + stats.get("downloader/exception_count", 0),
        "scrapy": scrapy.__version__,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
