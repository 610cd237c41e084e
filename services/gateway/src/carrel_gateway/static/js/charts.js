// Charts and the member map, drawn as inline SVG: no library, no network.

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function frame(container, width, height, label) {
  container.replaceChildren();
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img",
    "aria-label": label });
  root.append(svg("title", {}, label));
  container.append(root);
  return root;
}

// Grouped horizontal bars: rows of {label, values: [a, b]}, with a legend.
export function groupedBars(container, rows, series, label) {
  const width = 640, rowHeight = 26, left = 190;
  const height = 30 + rows.length * rowHeight;
  const root = frame(container, width, height, label);
  const most = Math.max(1, ...rows.flatMap((row) => row.values));
  const scale = (width - left - 40) / most;
  const colours = ["#1f5f8b", "#e07b39", "#6a9f3a"];
  series.forEach((name, i) => {
    root.append(svg("rect", { x: left + i * 110, y: 4, width: 12, height: 12, fill: colours[i] }));
    root.append(svg("text", { x: left + i * 110 + 16, y: 14 }, name));
  });
  rows.forEach((row, r) => {
    const y = 26 + r * rowHeight;
    root.append(svg("text", { x: left - 6, y: y + 14, "text-anchor": "end" }, row.label.slice(0, 28)));
    const bar = (rowHeight - 6) / row.values.length;
    row.values.forEach((value, i) => {
      const rect = svg("rect", { x: left, y: y + i * bar, width: Math.max(1, value * scale),
        height: bar - 1, fill: colours[i] });
      rect.append(svg("title", {}, `${row.label}: ${series[i]} ${value}`));
      root.append(rect);
      root.append(svg("text", { x: left + value * scale + 4, y: y + i * bar + bar - 2 }, String(value)));
    });
  });
}

// A funnel of steps {label, count}, each bar as wide as its share of the first.
export function funnel(container, steps, label) {
  const width = 640, rowHeight = 34;
  const root = frame(container, width, 10 + steps.length * rowHeight, label);
  const first = Math.max(1, steps[0]?.count || 1);
  steps.forEach((step, i) => {
    const w = Math.max(2, (width - 20) * (step.count / first));
    const y = 5 + i * rowHeight;
    root.append(svg("rect", { x: (width - w) / 2, y, width: w, height: rowHeight - 6,
      fill: "#1f5f8b", opacity: 1 - i * 0.12 }));
    root.append(svg("text", { x: width / 2, y: y + 19, "text-anchor": "middle",
      fill: "#fff", style: "fill:#fff" }, `${step.label}: ${step.count}`));
  });
}

// Members as points at their latitude and longitude, fitted to the frame.
export function scatterMap(container, points, label) {
  const width = 640, height = 360, pad = 20;
  const root = frame(container, width, height, label);
  root.append(svg("rect", { x: 0, y: 0, width, height, fill: "#eef3f7" }));
  const placed = points.filter((p) => Number.isFinite(p.latitude) && Number.isFinite(p.longitude));
  if (!placed.length) {
    root.append(svg("text", { x: width / 2, y: height / 2, "text-anchor": "middle" }, "No places yet"));
    return;
  }
  const lons = placed.map((p) => p.longitude), lats = placed.map((p) => p.latitude);
  const [west, east] = [Math.min(...lons) - 1, Math.max(...lons) + 1];
  const [south, north] = [Math.min(...lats) - 1, Math.max(...lats) + 1];
  const sx = (width - 2 * pad) / (east - west), sy = (height - 2 * pad) / (north - south);
  const s = Math.min(sx, sy);
  for (const p of placed) {
    const dot = svg("circle", { cx: pad + (p.longitude - west) * s, cy: pad + (north - p.latitude) * s,
      r: 5, fill: p.colour || "#1f5f8b", opacity: 0.8 });
    dot.append(svg("title", {}, p.label || ""));
    root.append(dot);
  }
}
