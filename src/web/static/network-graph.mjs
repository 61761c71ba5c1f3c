// Progressive enhancement of a network page: the table is the record; this draws the same links
// as a graph (cytoscape, served from our own origin — nothing downloads from elsewhere).
import cytoscape from '/static/cytoscape.esm.min.mjs';

const data = document.getElementById('network-graph-data');
const panel = document.getElementById('network-graph');
const canvas = panel?.querySelector('[data-graph-canvas]');

if (data && panel && canvas) {
  const graph = JSON.parse(data.textContent || '{"nodes":[],"edges":[]}');
  panel.hidden = false;
  const cy = cytoscape({
    container: canvas,
    elements: [
      ...graph.nodes.map((n) => ({ data: { id: n.id, label: n.label, kind: n.kind, focus: n.focus ? 'yes' : 'no' } })),
      ...graph.edges.map((e, i) => ({ data: { id: `e${i}`, source: e.source, target: e.target, confidence: e.confidence, weight: Math.min(6, 1 + e.links) } })),
    ],
    // GOV.UK colours: text #0b0c0c, grey #505a5f, blue #1d70b8, red #ca3535
    style: [
      { selector: 'node', style: { label: 'data(label)', 'font-size': 12, 'text-wrap': 'ellipsis', 'text-max-width': 140, 'text-valign': 'bottom', 'text-margin-y': 4, color: '#0b0c0c', 'background-color': '#1d70b8', shape: 'round-rectangle', width: 18, height: 18 } },
      { selector: 'node[kind = "child"]', style: { shape: 'ellipse', 'background-color': '#505a5f' } },
      { selector: 'node[focus = "yes"]', style: { 'background-color': '#0b0c0c', width: 26, height: 26, 'font-weight': 'bold' } },
      { selector: 'node[kind = "person"]', style: { 'background-color': '#ca3535' } },
      { selector: 'edge', style: { width: 'data(weight)', 'line-color': '#b1b4b6', 'curve-style': 'bezier' } },
      { selector: 'edge[confidence = "tentative"]', style: { 'line-style': 'dashed' } },
      { selector: 'edge[confidence = "unconfirmed"]', style: { 'line-style': 'dotted' } },
    ],
    // an ego network: the child at the centre, what they are linked to around them, the other
    // children who share it on the outer ring
    layout: {
      name: 'concentric',
      concentric: (node) => (node.data('focus') === 'yes' ? 3 : node.data('kind') === 'child' ? 1 : 2),
      levelWidth: () => 1,
      minNodeSpacing: 40,
      animate: false,
      padding: 20,
    },
    maxZoom: 1.6,
    wheelSensitivity: 0.3,
  });
  // a context opens its page; a child its network (when the reader may see them: ids only then)
  cy.on('tap', 'node', (event) => {
    const id = event.target.id();
    if (id.startsWith('context:')) window.location.href = `/contexts/${id.slice(8)}`;
    else if (/^child:[0-9a-f-]{36}$/.test(id) && event.target.data('focus') !== 'yes') window.location.href = `/children/${id.slice(6)}/network`;
  });
}
