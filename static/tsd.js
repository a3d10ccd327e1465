// ТСД scanning: every scan is kept until the server has answered it.
// Enter snapshots the field, clears it and queues {scan_id, barcode} in localStorage;
// one sender posts them in order. A scan whose request fails stays queued and is sent
// again with the same scan_id when the network is back; the server never counts it twice.
(function () {
  "use strict";
  const QUEUE_KEY = "warehouse.scans";
  let sending = false;
  let audio = null;

  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(queue) { localStorage.setItem(QUEUE_KEY, JSON.stringify(queue)); }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function beep(kind) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const tones = { ok: [[1320, 0.08]], done: [[880, 0.1], [1175, 0.1], [1568, 0.18]],
                      error: [[220, 0.25], [180, 0.35]] }[kind] || [];
      let t = audio.currentTime;
      for (const [freq, length] of tones) {
        const osc = audio.createOscillator(), gain = audio.createGain();
        osc.type = kind === "error" ? "sawtooth" : "square";
        osc.frequency.value = freq;
        gain.gain.value = 0.25;
        osc.connect(gain).connect(audio.destination);
        osc.start(t); osc.stop(t + length); t += length + 0.04;
      }
    } catch (e) { /* no audio on this device */ }
    if (navigator.vibrate) navigator.vibrate(kind === "error" ? [200, 80, 200] : kind === "done" ? [60, 40, 60] : 40);
  }

  function showNet(waiting, offline) {
    const net = document.getElementById("net");
    if (!net) return;
    net.hidden = !offline && waiting === 0;
    const text = offline ? net.dataset.offline : net.dataset.sending;
    net.textContent = (text || "{n}").replace("{n}", String(waiting));
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function focusScan() {
    const field = document.getElementById("scan");
    if (field && document.activeElement !== field) field.focus();
  }

  function applyAnswer(html) {
    htmx.swap("#feedback", html, { swapStyle: "outerHTML" });
    const feedback = document.getElementById("feedback");
    if (feedback && feedback.dataset.sound) beep(feedback.dataset.sound);
    htmx.process(document.body);
    focusScan();
  }

  async function pump() {
    if (sending) return;
    sending = true;
    try {
      let queue = loadQueue();
      while (queue.length) {
        const scan = queue[0];
        let response;
        try {
          response = await fetch(scan.url, {
            method: "POST",
            headers: { "HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded",
                       "X-CSRFToken": csrfToken() },
            body: new URLSearchParams({ barcode: scan.barcode, scan_id: scan.scan_id }),
            credentials: "same-origin",
          });
        } catch (e) {
          showNet(queue.length, true);
          beep("error");
          setTimeout(pump, 2000);
          return;
        }
        if (response.status === 401 && response.headers.get("HX-Redirect")) {
          // logged out (idle, or the desk ended the session): the waiting scans are not
          // kept — sent after the next login they would count under whoever logs in, and
          // the login page would send them again and again
          saveQueue([]);
          window.location = response.headers.get("HX-Redirect");
          return;
        }
        if (response.headers.get("HX-Refresh") === "true") {
          // the page's token is stale (a new session): reload; the scan stays queued
          window.location.reload();
          return;
        }
        if (response.status >= 500) {
          showNet(queue.length, true);
          setTimeout(pump, 3000);
          return;
        }
        const html = await response.text();
        queue = loadQueue().filter((s) => s.scan_id !== scan.scan_id);
        saveQueue(queue);
        applyAnswer(html);
        showNet(queue.length, false);
      }
    } finally {
      sending = false;
    }
  }

  function onScanKey(event) {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const field = event.target;
    const barcode = field.value;
    field.value = "";
    if (!barcode.trim()) return;
    const form = field.form;
    if (form && form.dataset.scanUrl) {
      const queue = loadQueue();
      queue.push({ scan_id: newId(), barcode: barcode, url: form.dataset.scanUrl });
      saveQueue(queue);
      pump();
    } else if (form) {
      field.value = barcode;
      form.submit();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    const field = document.getElementById("scan");
    if (field) field.addEventListener("keydown", onScanKey);
    document.addEventListener("click", function (event) {
      if (!event.target.closest("button, a, input, select")) focusScan();
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      const feedback = document.getElementById("feedback");
      if (event.detail.target && event.detail.target.id === "feedback" && feedback && feedback.dataset.sound) {
        beep(feedback.dataset.sound);
      }
      focusScan();
    });
    document.body.addEventListener("htmx:sendError", function () { showNet(loadQueue().length, true); beep("error"); });
    setInterval(focusScan, 1000);
    const feedback = document.getElementById("feedback");
    if (feedback && feedback.dataset.sound) beep(feedback.dataset.sound);
    window.addEventListener("online", pump);
    pump();
    focusScan();
  });
})();
