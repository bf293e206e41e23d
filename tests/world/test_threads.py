"""A world serves one thread at a time: a second thread waits for the first one's call to end."""

from __future__ import annotations

import threading

from crm_gym import World


def test_a_second_thread_waits_while_the_world_is_held() -> None:
    world = World.empty("arc")
    order: list[str] = []
    holding, release = threading.Event(), threading.Event()

    def first() -> None:
        with world.atomic():  # holds the lock for the whole block
            world.insert("Client", {"name": "First", "status": "Active"})
            holding.set()
            release.wait(timeout=30)
            order.append("first done")

    def second() -> None:
        holding.wait(timeout=30)
        order.append("second asks")
        world.insert("Client", {"name": "Second", "status": "Active"})
        order.append("second done")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    holding.wait(timeout=30)
    while "second asks" not in order:
        threading.Event().wait(0.01)
    threading.Event().wait(0.2)  # the second thread is blocked on the lock, not running
    assert order == ["second asks"]
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert order == ["second asks", "first done", "second done"]
    assert sorted(row["name"] for row in world.rows("Client")) == ["First", "Second"]
