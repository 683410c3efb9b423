"""``python -m bench``: every workload, every engine, interleaved."""

from .harness import main

__all__: list[str] = []

if __name__ == "__main__":
    main()
