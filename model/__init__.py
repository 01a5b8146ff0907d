"""The floor every package stands on: the values the whole program passes around (the article,
the run layout, the article sink's interface). It imports nothing of newsarchive's own."""
