"""Scrapy settings of newsarchive. Components read their own prefixed settings."""

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "newsarchive/0.1 (news archiving crawler; +https://github.com/newsarchive/newsarchive)"
ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
CONCURRENT_REQUESTS = 16
# Per-site delays and concurrency come from the site configs, as DOWNLOAD_SLOTS (crawler.addon).
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
RETRY_TIMES = 2
# Scrapy's list without CannotResolveHostError: a host that does not resolve is given up after one
# try (crawler.middlewares.hosts fails its further requests at once).
RETRY_EXCEPTIONS = [
    "scrapy.exceptions.DownloadConnectionRefusedError",
    "scrapy.exceptions.DownloadFailedError",
    "scrapy.exceptions.DownloadTimeoutError",
    "scrapy.exceptions.ResponseDataLossError",
    "twisted.internet.error.ConnectionDone",
    "twisted.internet.error.ConnectError",
    "twisted.internet.error.ConnectionLost",
    OSError,
    "scrapy.core.downloader.handlers.http11.TunnelError",
]
REDIRECT_MAX_TIMES = 10
# Items processed at once per response (Scrapy: 100). Ours give one item per article page, or
# requests (listings, sitemaps), yet Scrapy 2.19 starts this many asyncio tasks for every
# response's output: 200,200 of the 212,000 tasks of a 2,000-page crawl, and 16.8 -> 15.0 ms of
# the crawl process's CPU per page at 1 (bench/crawl.py's site; cProfile, then getrusage).
# Pages still go through extraction in parallel: the scraper handles many responses at once,
# up to SCRAPER_SLOT_MAX_ACTIVE_SIZE (5 MB, Scrapy's: ~40 pages of 120 KB waiting for the pool,
# enough to keep it busy, and the bound that holds downloads back when extraction lags).
CONCURRENT_ITEMS = 1
# Not DEBUG for crawls: Scrapy would log every item, and a Page item's repr holds the whole page.
LOG_LEVEL = "INFO"
# Only the content codings pywb and ReplayWeb.page both replay: Scrapy would also offer br and
# zstd (zstd replays as raw bytes in pywb, blank in ReplayWeb.page), and ReplayWeb.page shows
# deflate bodies raw. DefaultHeadersMiddleware runs before HttpCompressionMiddleware's setdefault.
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
    "Accept-Encoding": "gzip",
}

# Scrapy's HTTP/1.1 handler, also recording each exchange as it went over the wire for the WARCs.
DOWNLOAD_HANDLERS = {
    "http": "crawler.handlers.recording.RecordingDownloadHandler",
    "https": "crawler.handlers.recording.RecordingDownloadHandler",
}
# Loads the site registry once, makes download slots of the sites' politeness, names the run.
ADDONS = {"crawler.addon.NewsArchiveAddon": 0, "crawler.distributed.DistributedAddon": 10}
# Engine side first: redirects off the site refused (before the offsite filter, which would count
# them as offsite), then the requests cap and name resolution, both before robots.txt is asked.
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.redirects.RedirectPolicyMiddleware": 40,
    "crawler.middlewares.caps.RequestCapMiddleware": 60,
    "crawler.middlewares.hosts.HostGuardMiddleware": 80,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robots.SharedRobotsTxtMiddleware": 100,
    "crawler.middlewares.proxy.FixedProxyMiddleware": 740,
    "crawler.middlewares.shared_politeness.SharedPolitenessMiddleware": 760,
}
EXTENSIONS = {
    "crawler.extensions.warc.WarcExtension": 100,
    "crawler.extensions.catalog.CatalogExtension": 800,  # after the WARC extension
    "crawler.extensions.report.RunReport": 900,
    "crawler.extensions.progress.Progress": 950,
}
ITEM_PIPELINES = {
    "crawler.stages.ExtractionPipeline": 100,
    "crawler.versions.VersionPipeline": 700,
    "crawler.stories.StoryPipeline": 750,  # the article's story thread, before the outputs
    "crawler.stages.ArticleSinkPipeline": 800,
}
# Known articles are not fetched again unless they may have changed (the catalog says).
SPIDER_MIDDLEWARES = {"crawler.middlewares.incremental.IncrementalMiddleware": 600}

# newsarchive
NEWSARCHIVE_DATA_DIR = "data"
NEWSARCHIVE_RUN_ID = ""  # set once per crawl (crawler.addon) when empty
NEWSARCHIVE_SITE_REGISTRY = None  # the loaded sites (crawler.addon), or loaded from the two below
NEWSARCHIVE_SITES = []  # site names; empty: every configured site
NEWSARCHIVE_SITES_FILES = []  # extra site config files or directories
NEWSARCHIVE_DELAY_SCALE = 1.0  # multiplies every site's download_delay
NEWSARCHIVE_SITEMAPS_HELD = True  # sitemaps wait in the spider, a site's concurrency at a time
# Caps per site and run; a site's [caps] table overrides them, -s overrides both; 0: no limit.
NEWSARCHIVE_CAPS_ENABLED = True
NEWSARCHIVE_MAX_SITEMAPS = 2_000  # sitemaps fetched (robots.txt and indexes included)
NEWSARCHIVE_MAX_SITEMAP_DEPTH = 3  # index -> index -> index -> urlset below a start sitemap
NEWSARCHIVE_MAX_LINKS_PER_LISTING = 1_000  # links followed from one listing page or feed
NEWSARCHIVE_MAX_REQUESTS = 20_000  # requests (robots.txt, redirects and retries included)

REDIRECT_POLICY_ENABLED = True  # redirects stay on the site's hosts and ports, http(s) only
HOSTGUARD_ENABLED = True  # resolve first: dead hosts fail at once, private addresses refused
HOSTGUARD_ALLOW_PRIVATE = False  # let hosts no site names resolve to private addresses

WARC_ENABLED = True
WARC_PREFIX = "newsarchive"
WARC_MAX_SIZE = 1_000_000_000
WARC_GZIP_LEVEL = 6  # of each record's gzip member; warcio uses 9 (bench/warc_gzip.py)
WARC_OPERATOR = ""  # who runs the crawl, for the warcinfo record
HTTP_FROM = ""  # a contact address: sent as the From header and recorded in the warcinfo
WARC_CDXJ_ENABLED = True  # a CDXJ index beside each closed WARC file
WARC_DEDUPE_ENABLED = True  # unchanged payloads of earlier runs become revisit records
WACZ_ENABLED = True  # pack each run as <run_id>.wacz when it ends

PROXY_ENABLED = True
PROXY_URL = ""  # send every request through this HTTP proxy (fixtures, replay)

EXTRACT_ENABLED = True
EXTRACT_WORKERS = 0  # extraction processes: 0 one per core, 1 in the crawl's own process
WRITER_ENABLED = True
REPORT_ENABLED = True

PROGRESS_ENABLED = True
PROGRESS_INTERVAL = 30.0  # seconds between the progress lines in the log
PROGRESS_REFRESH = 1.0  # seconds between redraws of the live table (stderr a terminal, no -v)
CATALOG_ENABLED = True  # <data>/catalog.sqlite: captures, text versions, full-text search
CATALOG_PATH = ""  # default: catalog.sqlite in the data directory
INCREMENTAL_ENABLED = True  # skip articles archived already (needs the catalog)
STORIES_ENABLED = True  # each article's story thread, copies and quotes (needs the catalog)
STORIES_WINDOW_DAYS = 3  # a thread takes articles dated up to this many days after its last

# A crawl shared by several workers (crawler.distributed); off while REDIS_URL is empty.
REDIS_URL = ""  # redis://host:6379/0: queue, duplicate filter, leases and politeness live there
REDIS_KEY = "newsarchive"  # prefix of the run's keys: <REDIS_KEY>:<run id>:...
REDIS_LEASE_SECONDS = 60.0  # a dead worker's requests go back to the queue after this
REDIS_POLL_SECONDS = 0.5  # an idle worker looks at the shared queue this often (Scrapy: 5 s)
REDIS_IDLE_TIMEOUT = 30.0  # a worker exits once the shared crawl has been idle this long
REDIS_KEEP_SECONDS = 86_400  # a finished run's keys (its duplicate filter) expire after this
REDIS_POLITENESS_ENABLED = True  # a site's delay and concurrency hold across all workers
