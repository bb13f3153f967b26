"""An ECharts chart widget whose option travels to the browser as JSON text.

``solara.FigureEcharts`` sends the option as a nested object, which the page's Vue makes
reactive, walking every data point of every series on every frame; with six charts that walk
was most of the browser's time per frame. Here the option is a string that Vue leaves alone:
the browser parses it once and hands the plain object to ECharts. ECharts itself is the build
that Solara serves (``dashboard.assets`` puts it in the local assets folder).
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
  <div ref="box" class="pricelab-chart" style="height: 270px; width: 100%;"></div>
</template>
<script>
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
      this.draw();
    }));
  },
  beforeDestroy() {
    if (this.chart) this.chart.dispose();
  },
  watch: {
    spec() { this.draw(); },
  },
  methods: {
    draw() {
      if (this.chart) this.chart.setOption(JSON.parse(this.spec), true);
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
