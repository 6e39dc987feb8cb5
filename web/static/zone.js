// The reader's time zone, for pages written on the server: the browser's
// IANA zone goes in a cookie the server reads when the member chose no
// zone (the layout loads this only then). Without it, times are in the
// site's zone, which the pages name.
(function () {
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) return;
  var secure = location.protocol === "https:";
  var name = (secure ? "__Host-" : "") + "agora_tz";
  if (document.cookie.split("; ").indexOf(name + "=" + zone) >= 0) return;
  document.cookie = name + "=" + zone + "; path=/; max-age=31536000; samesite=lax" + (secure ? "; secure" : "");
})();
