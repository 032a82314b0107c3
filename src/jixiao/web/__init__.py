"""The web app and REST API: thin routes over jixiao.store and jixiao.api."""
