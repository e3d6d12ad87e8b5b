/* Back-office location picker: click the map to set a sensor's latitude and longitude, or draw an
   area or route that is written as GeoJSON into the text area. The inputs work without this script;
   the map only fills them in. */
(function () {
  "use strict";
  var holder = document.getElementById("location-map");
  if (!holder || !window.L) { return; }
  var latInput = document.getElementById(holder.getAttribute("data-lat-input"));
  var lonInput = document.getElementById(holder.getAttribute("data-lon-input"));
  var geoInput = document.getElementById(holder.getAttribute("data-geojson-input"));
  if (!latInput || !lonInput || !geoInput) { return; }
  holder.hidden = false;

  var map = L.map(holder, { scrollWheelZoom: false }).setView([52.1, 5.3], 7);
  var bounds = (holder.getAttribute("data-bounds") || "").split(",").map(Number);
  if (bounds.length === 4 && bounds.every(function (n) { return !isNaN(n); })) {
    map.fitBounds([[bounds[0], bounds[1]], [bounds[2], bounds[3]]]); // the organisation's own area
  }
  L.tileLayer(holder.getAttribute("data-tiles-url"), {
    attribution: holder.getAttribute("data-tiles-attribution"), maxZoom: 19
  }).addTo(map);
  var marker = null;
  var shape = null;
  var drawing = null; // the vertices while drawing an area or route
  var drawKind = "LineString";

  function number(input) {
    var value = parseFloat(String(input.value).replace(",", "."));
    return isNaN(value) ? null : value;
  }
  function showPoint(lat, lon, zoom) {
    if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.marker([lat, lon]).addTo(map); }
    if (zoom) { map.setView([lat, lon], Math.max(map.getZoom(), 16)); }
  }
  function showShape() {
    if (shape) { map.removeLayer(shape); shape = null; }
    var text = geoInput.value.trim();
    if (!text) { return false; }
    try {
      shape = L.geoJSON(JSON.parse(text)).addTo(map);
      map.fitBounds(shape.getBounds(), { maxZoom: 17 });
      return true;
    } catch (e) { return false; }
  }

  if (!showShape()) {
    var lat = number(latInput), lon = number(lonInput);
    if (lat !== null && lon !== null) { showPoint(lat, lon, true); }
  }

  map.on("click", function (event) {
    var lat = event.latlng.lat.toFixed(6), lon = event.latlng.lng.toFixed(6);
    if (drawing) {
      drawing.push([Number(lon), Number(lat)]);
      var coordinates = drawKind === "Polygon" ? [drawing.concat([drawing[0]])] : drawing;
      if (drawing.length >= 2) {
        geoInput.value = JSON.stringify({ type: drawKind, coordinates: coordinates });
        showShape();
      }
      return;
    }
    latInput.value = lat;
    lonInput.value = lon;
    geoInput.value = "";
    if (shape) { map.removeLayer(shape); shape = null; }
    showPoint(Number(lat), Number(lon), false);
  });
  [latInput, lonInput].forEach(function (input) {
    input.addEventListener("change", function () {
      var lat = number(latInput), lon = number(lonInput);
      if (lat !== null && lon !== null) { showPoint(lat, lon, true); }
    });
  });
  geoInput.addEventListener("change", showShape);

  // Drawing: choose route or area, click the points, then finish.
  var tools = document.createElement("p");
  tools.className = "map-tools";
  var kind = document.createElement("select");
  kind.setAttribute("aria-label", holder.getAttribute("data-draw-label"));
  [["LineString", holder.getAttribute("data-line-label")], ["Polygon", holder.getAttribute("data-area-label")]]
    .forEach(function (pair) {
      var option = document.createElement("option");
      option.value = pair[0];
      option.textContent = pair[1];
      kind.appendChild(option);
    });
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button-secondary";
  button.id = "location-draw";
  button.textContent = holder.getAttribute("data-draw-label");
  button.addEventListener("click", function () {
    if (drawing) {
      drawing = null;
      button.textContent = holder.getAttribute("data-draw-label");
      button.setAttribute("aria-pressed", "false");
      return;
    }
    drawing = [];
    drawKind = kind.value;
    latInput.value = "";
    lonInput.value = "";
    if (marker) { map.removeLayer(marker); marker = null; }
    button.textContent = holder.getAttribute("data-finish-label");
    button.setAttribute("aria-pressed", "true");
  });
  tools.appendChild(kind);
  tools.appendChild(document.createTextNode(" "));
  tools.appendChild(button);
  holder.parentNode.insertBefore(tools, holder.nextSibling);
})();
