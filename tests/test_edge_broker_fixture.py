"""The Mosquitto test fixture itself: plain pub/sub, a persistent session across a restart, TLS + auth."""

from __future__ import annotations

import queue
import ssl

import paho.mqtt.client as mqtt
import pytest

pytestmark = pytest.mark.mqtt


def _client(client_id: str, clean: bool = True) -> tuple[mqtt.Client, queue.Queue]:
    got: queue.Queue = queue.Queue()
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=clean)
    c.on_message = lambda _c, _u, msg: got.put((msg.topic, msg.payload))
    return c, got


def test_plain_pub_sub(mosquitto):
    sub, got = _client("sub")
    sub.connect(mosquitto.host, mosquitto.port)
    sub.loop_start()
    sub.subscribe("t/#", qos=1)
    pub, _ = _client("pub")
    pub.connect(mosquitto.host, mosquitto.port)
    pub.loop_start()
    # The subscription may not be active yet: publish until it arrives.
    for _ in range(50):
        pub.publish("t/x", b"hello", qos=1).wait_for_publish(2)
        try:
            assert got.get(timeout=0.1) == ("t/x", b"hello")
            break
        except queue.Empty:
            continue
    else:
        pytest.fail("no message received\n" + mosquitto.log())
    for c in (sub, pub):
        c.loop_stop()
        c.disconnect()


def test_persistent_session_survives_restart(mosquitto):
    sub, got = _client("persist-sub", clean=False)
    sub.connect(mosquitto.host, mosquitto.port)
    sub.loop_start()
    _, mid = sub.subscribe("p/#", qos=1)
    sub.loop_stop()
    sub.disconnect()
    pub, _ = _client("pub")
    pub.connect(mosquitto.host, mosquitto.port)
    pub.loop_start()
    pub.publish("p/1", b"queued", qos=1).wait_for_publish(5)
    pub.loop_stop()
    pub.disconnect()
    mosquitto.kill()  # even a SIGKILL keeps the queued message (autosave on every change)
    mosquitto.start()
    sub.connect(mosquitto.host, mosquitto.port)
    sub.loop_start()
    assert got.get(timeout=5) == ("p/1", b"queued")
    sub.loop_stop()
    sub.disconnect()


def test_tls_and_auth(mosquitto_factory):
    b = mosquitto_factory(auth=True, tls=True)
    assert b.url.startswith("mqtts://edge-test:")
    ok, _ = _client("secure")
    ok.tls_set(ca_certs=str(b.ca_file), cert_reqs=ssl.CERT_REQUIRED)
    ok.username_pw_set(b.username, b.password)
    assert ok.connect(b.host, b.port) == mqtt.MQTT_ERR_SUCCESS
    rc: queue.Queue = queue.Queue()
    ok.on_connect = lambda _c, _u, _f, reason, _p: rc.put(reason)
    ok.loop_start()
    assert not rc.get(timeout=5).is_failure
    ok.loop_stop()
    ok.disconnect()

    bad, _ = _client("bad")
    bad.tls_set(ca_certs=str(b.ca_file), cert_reqs=ssl.CERT_REQUIRED)
    bad.username_pw_set(b.username, "wrong")
    bad.on_connect = lambda _c, _u, _f, reason, _p: rc.put(reason)
    bad.connect(b.host, b.port)
    bad.loop_start()
    reason = rc.get(timeout=5)
    assert reason.is_failure and "not authorized" in str(reason).lower()
    bad.loop_stop()
    bad.disconnect()
