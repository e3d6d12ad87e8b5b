/* Zichtbaar map: loads public sensors per viewport from the open API and keeps the legend filter.
   Every text from the register is put in the page with textContent, never as HTML. */
(function () {
  "use strict";
  var holder = document.getElementById("map");
  var configNode = document.getElementById("map-config");
  if (!holder || !configNode || !window.L) { return; }
  var map = window[holder.getAttribute("data-map-var")];
  if (!map) { return; }
  var config = JSON.parse(configNode.textContent);
  var labels = config.labels || {};
  var status = document.getElementById("map-status");
  var COLOURS = { identifiable: "#ffd200", deidentified: "#4a90d9", none: "#b9b9b9" };
  var hidden = {};
  var features = [];
  var controller = null;
  var timer = null;

  var clusters = L.markerClusterGroup({ disableClusteringAtZoom: 16, chunkedLoading: true, showCoverageOnHover: false });
  var shapes = L.layerGroup();
  map.addLayer(clusters);
  map.addLayer(shapes);

  function say(text) { if (status) { status.textContent = text || ""; } }
  function fill(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function localised(props, key) {
    var english = document.documentElement.lang === "en" && props.en && props.en[key];
    return english || props[key] || "";
  }

  function popupFor(props) {
    var box = el("div", "zb-popup");
    var heading = el("h3");
    var link = el("a", null, localised(props, "title"));
    link.href = "/registraties/" + encodeURIComponent(props.publicId);
    heading.appendChild(link);
    box.appendChild(heading);
    var sensor = props.sensor || {};
    box.appendChild(el("p", "zb-popup-type",
      (labels.sensorType[sensor.sensorType] || sensor.sensorType || "") + " · " +
      (labels.identifiability[sensor.identifiability] || "")));
    box.appendChild(el("p", null, localised(props, "summary")));
    if (props.organisation) { box.appendChild(el("p", "muted", props.organisation.name)); }
    var more = el("a", null, labels.more);
    more.href = link.href;
    box.appendChild(more);
    return box;
  }

  function iconFor(props) {
    var sensor = props.sensor || {};
    var ident = COLOURS[sensor.identifiability] ? sensor.identifiability : "none";
    var dot = el("span", "zb-dot zb-" + ident);
    var src = labels.icons && labels.icons[sensor.sensorType];
    if (src) {
      var img = el("img");
      img.src = src; img.alt = ""; img.width = 18; img.height = 18;
      dot.appendChild(img);
    }
    return L.divIcon({ html: dot, className: "zb-marker zb-marker-" + ident, iconSize: [26, 26], iconAnchor: [13, 13],
                       popupAnchor: [0, -12] });
  }

  function tooltipFor(props) { return el("span", null, localised(props, "title")); }

  function typeOf(feature) { return ((feature.properties || {}).sensor || {}).sensorType || "other"; }

  function draw() {
    clusters.clearLayers();
    shapes.clearLayers();
    var markers = [];
    features.forEach(function (feature) {
      if (!feature.geometry || hidden[typeOf(feature)]) { return; }
      var props = feature.properties || {};
      if (feature.geometry.type === "Point") {
        var c = feature.geometry.coordinates;
        var marker = L.marker([c[1], c[0]], { icon: iconFor(props), keyboard: true,
                                              title: localised(props, "title"), alt: localised(props, "title") });
        marker.bindPopup(popupFor(props));
        marker.bindTooltip(tooltipFor(props));
        marker.featureId = feature.id;
        markers.push(marker);
      } else {
        var ident = (props.sensor || {}).identifiability;
        var layer = L.geoJSON(feature, { style: { color: "#333333", weight: 2, fillColor: COLOURS[ident] || COLOURS.none,
                                                  fillOpacity: 0.25 } });
        layer.bindPopup(popupFor(props));
        layer.bindTooltip(tooltipFor(props), { sticky: true });
        shapes.addLayer(layer);
      }
    });
    clusters.addLayers(markers);
  }

  function load() {
    if (map.getZoom() < (config.minZoom || 13)) {
      features = [];
      draw();
      say(labels.zoomIn);
      return;
    }
    var b = map.getBounds();
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(",");
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    say(labels.loading);
    fetch("/api/v1/sensors?bbox=" + bbox + "&pageSize=500&sort=title", {
      headers: { Accept: "application/geo+json" }, signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      var total = parseInt(response.headers.get("X-Total-Count") || "0", 10);
      return response.json().then(function (body) { return { body: body, total: total }; });
    }).then(function (result) {
      features = result.body.features || [];
      draw();
      var shown = features.length;
      say(result.total > shown ? fill(labels.shown, { shown: shown, total: result.total })
                               : fill(labels.all, { total: result.total || shown }));
      holder.setAttribute("data-loaded", String(shown));
    }).catch(function (error) {
      if (error && error.name === "AbortError") { return; }
      say(labels.failed);
    });
  }

  function schedule() { window.clearTimeout(timer); timer = window.setTimeout(load, 250); }

  // The legend doubles as a filter: unticking a type hides its markers and its part of the list at once.
  var legend = document.getElementById("legend");
  if (legend) {
    var apply = document.getElementById("legend-apply");
    if (apply) { apply.hidden = true; }
    Array.prototype.forEach.call(legend.querySelectorAll("input[name=type]"), function (box) {
      hidden[box.value] = !box.checked;
      box.addEventListener("change", function () {
        hidden[box.value] = !box.checked;
        Array.prototype.forEach.call(document.querySelectorAll(".sensor-group[data-type='" + box.value + "']"),
          function (section) { section.hidden = !box.checked; });
        draw();
      });
    });
  }

  map.on("moveend", schedule);
  load();
}());
