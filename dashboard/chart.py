"""An ECharts chart widget whose option travels to the browser as JSON text.

``solara.FigureEcharts`` sends the option as a nested object, which the page's Vue makes
reactive, walking every data point of every series on every frame; with six charts that walk
was most of the browser's time per frame. Here the option is a string that Vue leaves alone:
the browser parses it once and hands the plain object to ECharts. ECharts itself is the build
that Solara serves (``dashboard.assets`` puts it in the local assets folder).

The options are JSON, so they cannot hold functions; the browser adds one: the tooltip names
each series by its id (``platform · B``), since the sellers' A and B lines share a name (one
legend entry per seller). The chart's ECharts instance is the box's ``pricelabChart`` property
(the browser test reads the options ECharts holds). The chart follows its box's size (a
``ResizeObserver``), so it fills its cell in any window, with text and gaps scaled up in a wide
cell (a projector's page); a chart scrolled out of view skips its frames (an
``IntersectionObserver``): it draws the latest one when it comes back into view.
"""

import json

import ipyvue
import solara.settings
import traitlets

ECHARTS = "echarts@5.4.0/dist/echarts.js"


class Chart(ipyvue.VueTemplate):
    """``option``: the ECharts option (a dict, kept on the server); ``spec``: the same as JSON, sent to the browser."""

    template = traitlets.Unicode("""
<template>
  <div ref="box" class="pricelab-chart" style="height: 320px; width: 100%;"></div>
</template>
<script>
const WIDTH = 560, MAX_SCALE = 1.35;  // wider charts (a projector's) get larger text, up to MAX_SCALE
const SCALED = ["fontSize", "top", "bottom", "nameGap", "itemWidth", "itemHeight", "itemGap", "symbolSize"];
module.exports = {
  mounted() {
    const cdn = this.cdn || (window.solara && window.solara.cdn) || "_solara/cdn";
    const loader = window.requirejs ? Promise.resolve() : new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = `${cdn}/requirejs@2.3.6/require.js`;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
    loader.then(() => window.requirejs([`${cdn}/""" + ECHARTS + """`], (echarts) => {
      this.chart = echarts.init(this.$refs.box);
      this.$refs.box.pricelabChart = this.chart;
      this.resizer = new ResizeObserver(() => {
        this.chart.resize();
        this.draw();
      });
      this.resizer.observe(this.$refs.box);
      this.seen = new IntersectionObserver((entries) => {
        this.visible = entries[entries.length - 1].isIntersecting;
        if (this.visible && this.stale) this.draw();
      });
      this.seen.observe(this.$refs.box);
      this.draw();
    }));
  },
  beforeDestroy() {
    if (this.resizer) this.resizer.disconnect();
    if (this.seen) this.seen.disconnect();
    if (this.chart) this.chart.dispose();
  },
  data() {
    return {visible: true, stale: false};
  },
  watch: {
    spec() {
      if (this.visible) this.draw();
      else this.stale = true;
    },
  },
  methods: {
    draw() {
      if (!this.chart) return;
      this.stale = false;
      const option = this.scaled(JSON.parse(this.spec));
      if (option.tooltip) option.tooltip.formatter = (params) => this.tip(params, option);
      this.chart.setOption(option, true);
    },
    scaled(option) {
      const k = Math.min(MAX_SCALE, Math.max(1, this.$refs.box.clientWidth / WIDTH));
      const walk = (node) => {
        if (Array.isArray(node)) node.forEach(walk);
        else if (node && typeof node === "object") {
          for (const key of Object.keys(node)) {
            if (SCALED.includes(key) && typeof node[key] === "number") node[key] = Math.round(node[key] * k);
            else if (key !== "data" || !Array.isArray(node[key]) || typeof node[key][0] !== "number") walk(node[key]);
          }
        }
      };
      if (k > 1) walk(option);
      return option;
    },
    tip(params, option) {
      const list = (Array.isArray(params) ? params : [params]).filter((p) => !String(p.seriesId).startsWith("key "));
      if (!list.length) return "";
      const y = Array.isArray(option.yAxis) ? option.yAxis[0] : option.yAxis;
      const x = option.xAxis.data || [];
      const named = (v) => (y.type === "category" && v != null ? y.data[v] : v);
      const lines = list.map((p) => {
        const value = Array.isArray(p.value) ? p.value[1] : p.value;
        return `${p.marker}${p.seriesId}: <b>${value == null ? "-" : named(value)}</b>`;
      });
      const first = list[0];
      const when = Array.isArray(first.value) ? x[first.value[0]] : first.axisValueLabel;
      return [when, ...lines].join("<br/>");
    },
  },
}
</script>
""").tag(sync=True)
    option = traitlets.Dict()
    spec = traitlets.Unicode("{}").tag(sync=True)
    cdn = traitlets.Unicode(None, allow_none=True).tag(sync=True)

    @traitlets.default("cdn")
    def _cdn(self):
        """Solara's CDN setting when its assets proxy is off; else the page's own ``window.solara.cdn``."""
        return None if solara.settings.assets.proxy else solara.settings.assets.cdn

    @traitlets.observe("option")
    def _encode(self, change) -> None:
        self.spec = json.dumps(change["new"], allow_nan=False, separators=(",", ":"))
