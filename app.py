def run(index_dir):
    raise SystemExit("UI not built yet")
