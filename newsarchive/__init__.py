"""The application: the ``newsarchive`` command and the jobs it runs (crawl, reextract, replay).

The top floor. It wires the Scrapy parts of ``crawler`` to the extraction of ``pipelines`` and
the archive of ``archive``; nothing below imports it.
"""
