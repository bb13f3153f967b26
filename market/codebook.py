"""The codebook: what every column of every Parquet file the project writes means, and its unit (``INTRO``).

``describe(column)`` gives a column's entry (a ``KeyError`` for a column it does not know, so a new
column cannot be written undescribed); ``parquet_metadata(columns)`` is the schema metadata that
``experiments.atomic.write_parquet`` and the dashboard's export put in every file (key
``pricelab.codebook``, JSON); ``CODEBOOK.md`` is ``render()``.
"""

import json
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    description: str
    unit: str


def _c(description: str, unit: str = "-") -> Column:
    return Column(description, unit)


MONEY, PER_TICK, UNITS = "currency", "currency per tick", "units"
INTRO = ("Money is in the scenario's currency units (the shipped markets have unit costs near 1; `amazon_10min` "
         "reads as euros). \"Per tick\" is per tick of the scenario's `tick_minutes` (10 in the shipped markets). "
         "Flows (quantity, profit, fees, consumer surplus) are per tick; run summaries average them over the ticks "
         "measured (from tick 0, or from the end of training and of the warm-up); the unsold-goods totals sum over "
         "those ticks.")

IDENTIFIERS = {
    "scenario": _c("scenario name (a replication's: the paper; an observed panel's: its file name)"),
    "seller": _c("seller name (the scenario's sellers[].name)"),
    "role": _c("the seller's role: platform, retailer or brand"),
    "seed": _c("the run's seed, a signed 64-bit integer: it fixes Poisson shopper arrivals, learners' exploration "
               "and every other draw; with the scenario it reproduces the run (null: the row aggregates over seeds, or "
               "observed prices, which have none)"),
    "tick": _c("tick index from 0 (training ticks included); the row's prices and flows are those of this tick",
               "ticks"),
    "day": _c("tick / ticks per day: the day from 0 (0.5 is noon of the first day); in the dashboard's export, "
              "the day as the page shows it, from 1 (d1 is the first day; null in a repeated game)", "days"),
    "time": _c("the dashboard's export: the time of day at the start of the tick, hh:mm (d1 00:10 is day 1, "
               "time 00:10; null in a repeated game)"),
    "run": _c("the dashboard's run: A (the market as set), B (A with the rules switched on)"),
    "run_id": _c("the run's id: the first 16 hex digits of the SHA-256 of its scenario's TOML, seed included "
                 "(market.results.run_id; a replication session's: of its paper, set-up and seed; an observed "
                 "panel's: of the file's bytes); the same run has the same id in every file (null: the row "
                 "aggregates over seeds)"),
    "master_seed": _c("the experiment's master seed, from which every session's seed is spawned (SeedSequence)"),
    "run_index": _c("position of the run in the sweep's fixed order (grid point, then replicate)"),
    "replicate": _c("replicate r of a grid point: every grid point's replicate r uses the same seed"),
    "values": _c("a failed sweep run's swept values, as JSON"),
    "error": _c("why a sweep run failed: the exception's type and message"),
    "arm": _c("the comparison's arm (the first one is the baseline)"),
    "level": _c("level of an outcome: market, role, owner (a firm owning several sellers) or seller"),
    "name": _c("whose outcome: 'market', a role, a firm (the sellers' owner) or a seller's name"),
    "owner": _c("the seller's firm: its owner (sellers of one owner maximise their joint profit), or the seller's "
                "own name where it has none"),
    "metric": _c("the outcome's name; its meaning and unit are this codebook's entry of that name"),
    "value": _c("the outcome's value, in the unit of its metric"),
    "whole_run": _c("the outcome over the whole run after training, warm-up included (the ticks measured plus the "
                    "warm-up; equal to value without a warm-up)", "the metric's unit"),
    "session": _c("a replication session's index (0, 1, ...)"),
}

TIMESERIES = {
    "price": _c("the seller's price in force in this tick (after the rules)", f"{MONEY} per unit"),
    "quantity": _c("units sold by the seller in this tick", f"{UNITS} per tick"),
    "profit": _c("the seller's profit: (price - marginal cost) x quantity - fees paid; the platform's includes the "
                 "fees it receives; a brand's includes its wholesale margin", PER_TICK),
    "fee": _c("referral and fulfilment fees the seller paid to the platform", PER_TICK),
    "featured": _c("whether the seller held the platform's featured offer (Buy Box) in this tick", "true/false"),
    "stock": _c("the seller's stock at the end of the tick (NaN: unlimited stock, not tracked)", UNITS),
    "shoppers": _c("shoppers who came (expected or Poisson arrivals, times the season)", "shoppers per tick"),
    "consumer_surplus": _c("consumers' expected surplus under logit demand with limited attention, from the outside "
                           "option: shoppers x sum over segments k of W_k [mu log(sum_j w_kj exp((a_j - p_j)/mu) + "
                           "exp(a0/mu)) - a0], w_kj the attention segment k pays offer j (market.demand)", PER_TICK),
    "fee_income": _c("fees received by the platform", PER_TICK),
    "featured_seller": _c("name of the seller holding the featured offer (null: no offer on the platform)"),
}

MARKET = {
    "delta": _c("Calvano et al.'s profit gain (industry profit - Nash) / (monopoly - Nash), benchmarks scaled to the "
                "shoppers who came: 0 = static Nash, 1 = joint monopoly; fees are transfers. The benchmarks are "
                "those of the demand sellers face under the platform's display rule (featured attention, "
                "self-preference, pdp), co-owned sellers pricing for their owner at Nash; where no pure Nash "
                "equilibrium exists (nash_benchmark 'cycle' or 'step'), Nash is the mean industry profit of best "
                "responses' play", "ratio"),
    "mean_price": _c("a seller's mean price over the ticks measured; the market's: the unweighted mean over sellers "
                     "(weighted_price weighs by units sold)", f"{MONEY} per unit"),
    "weighted_price": _c("quantity-weighted mean price paid: revenue / units sold", f"{MONEY} per unit"),
    "mean_margin": _c("mean over sellers of (mean price - marginal cost)", f"{MONEY} per unit"),
    "industry_profit": _c("sum over sellers of (price - the industry's unit cost) x quantity; fees are transfers",
                          PER_TICK),
    "total_welfare": _c("consumer surplus + industry profit", PER_TICK),
    "hhi": _c("Herfindahl-Hirschman index of unit shares, 10,000 x sum of squared shares", "0 to 10,000"),
    "price_dispersion": _c("standard deviation of prices across sellers, averaged over ticks", f"{MONEY} per unit"),
    "price_changes_per_day": _c("price changes of all sellers per day (a change: a move of more than 1e-6 of the "
                                "price, market.changes.CHANGE_TOLERANCE; smaller moves are held)", "changes per day"),
    "units_sold_off": _c("units sold off cheaply (total over the ticks measured)", UNITS),
    "units_returned": _c("units shipped back to the seller (total)", UNITS),
    "units_donated": _c("units donated (total)", UNITS),
    "units_destroyed": _c("units destroyed (total)", UNITS),
    "destroyed_value": _c("value at unit cost of the destroyed units (total)", MONEY),
    "storage_fees": _c("storage fees paid to the platform, long-term surcharge included (total)", MONEY),
    "disposal_costs": _c("return shipping, donation VAT and handling, destruction fees (total; write-offs excluded)",
                         MONEY),
    "donation_vat": _c("VAT paid on donated goods (total)", MONEY),
    "platform_unsold_income": _c("the platform's income from stock: storage and destruction fees (total)", MONEY),
    "selloff_price_gap": _c("mean price of sellers not selling off in ticks with a sell-off, minus that in ticks "
                            "without (0 if either never happens)", f"{MONEY} per unit"),
}

SELLER = {
    "cost": _c("the seller's marginal cost at the end of the run: own cost + its brand's wholesale price",
               f"{MONEY} per unit"),
    "margin": _c("mean price - marginal cost (a role's margin: the mean over its sellers)", f"{MONEY} per unit"),
    "share": _c("the seller's share of units sold", "share (0 to 1)"),
    "fee_paid": _c("fees paid to the platform", PER_TICK),
    "featured_share": _c("share of ticks in which the seller held the featured offer", "share (0 to 1)"),
    "price_changes": _c("number of price changes over the ticks measured (moves of more than 1e-6 of the price, "
                        "market.changes.CHANGE_TOLERANCE)", "changes"),
    "storage_fees_paid": _c("storage fees the seller paid (total)", MONEY),
    "disposal_costs_paid": _c("the seller's disposal costs (total)", MONEY),
    "stock_held": _c("the seller's stock at the end of the run", UNITS),
    "nash_price": _c("the seller's static Nash price (the scenario's one-shot game under the platform's display "
                     "rule, each seller on behalf of its owner: no profitable deviation, across the featured "
                     "offer's threshold too); where no pure equilibrium exists, its mean price in best responses' "
                     "play (nash_benchmark)", f"{MONEY} per unit"),
    "nash_price_low": _c("the lowest price of the seller in best responses' cycle where no pure Nash equilibrium "
                         "exists (= nash_price where one does)", f"{MONEY} per unit"),
    "nash_price_high": _c("the highest price of the seller in best responses' cycle where no pure Nash equilibrium "
                          "exists (= nash_price where one does)", f"{MONEY} per unit"),
    "monopoly_price": _c("the seller's price at the joint-profit maximum (under the display rule: over who holds "
                         "the featured offer)", f"{MONEY} per unit"),
    "nash_profit": _c("the seller's profit at the static Nash prices (its mean in best responses' play where no "
                      "pure equilibrium exists)", PER_TICK),
    "monopoly_profit": _c("the seller's profit at the joint-profit maximum", PER_TICK),
}

RUNS = {
    "ticks": _c("ticks measured: the horizon, counted from tick 0 or from the end of training and of the warm-up",
                "ticks"),
    "learners": _c("sellers that learn a table of their own (a vendor's clients share one)", "sellers"),
    "trained": _c("whether the learners were trained to convergence before the ticks measured ([training])",
                  "true/false"),
    "converged": _c("whether training converged: no greedy policy changed for stable_ticks (null: not trained)",
                    "true/false"),
    "training_ticks": _c("ticks of training before the ticks measured (0: not trained)", "ticks"),
    "nash_benchmark": _c("what Delta's Nash benchmark is: 'pure' (an equilibrium in pure prices), 'cycle' (none "
                         "exists: best responses cycle, Edgeworth; Nash is their mean, nash_price_low and "
                         "nash_price_high the cycle's bounds) or 'step' (none exists in continuous prices: best "
                         "responses settle one undercut step from the limit, Bertrand)"),
    "warm_up_ticks": _c("ticks of warm-up run after training and before the ticks measured ([measure]; 0: none)",
                        "ticks"),
    "settled": _c("whether prices had settled by the end of the warm-up: a repeating cycle or no drift across the "
                  "window (market.settling; null: no [measure] table)", "true/false"),
    "settled_by": _c("how prices had settled: 'cycle' (the window repeats with a period) or 'drift' (no drift "
                     "between its halves); null when not settled"),
    "cycle_ticks": _c("the period of the cycle prices settled in (1: constant prices; 0: not settled by a cycle)",
                      "ticks"),
}

STATISTICS = {
    "baseline": _c("the outcome's mean in the baseline (arm or swept value) over the paired seeds",
                   "the metric's unit"),
    "mean": _c("the outcome's mean in this arm (or swept value) over the paired seeds", "the metric's unit"),
    "difference": _c("mean paired difference, this arm minus the baseline on the same seed", "the metric's unit"),
    "se": _c("standard error of the mean paired difference, s_d / sqrt(n) (NaN for one seed)", "the metric's unit"),
    "ci_low": _c("lower end of the 95% Student-t interval of the mean paired difference", "the metric's unit"),
    "ci_high": _c("upper end of the 95% Student-t interval of the mean paired difference", "the metric's unit"),
    "relative_change_pct": _c("100 x difference / the baseline's mean (NaN unless that mean is above 0)", "percent"),
    "n": _c("paired seeds with a finite outcome in both arms", "seeds"),
    "whole_difference": _c("mean paired difference over the whole runs, warm-up included (whole_run); reports warn "
                           "when it and difference differ in sign or by more than half", "the metric's unit"),
    "package": _c("a package arm (one that changes several things) whose effect is decomposed"),
    "component": _c("a part of the package alone, 'sum of parts', 'interaction' (package minus the sum) or 'package'"),
}

SESSIONS = {
    "alpha": _c("the session's learning rate (Q-learning's alpha)"),
    "beta": _c("Calvano: the session's exploration decay, epsilon_t = exp(-beta t)"),
    "theta": _c("Klein: the session's exploration decay, epsilon_t = (1 - theta)^t"),
    "discount": _c("the session's discount factor (the papers' delta)"),
    "m": _c("Calvano: prices on the grid", "prices"),
    "xi": _c("Calvano: how far the grid extends beyond the Nash and monopoly prices, a share of their gap", "ratio"),
    "k": _c("Klein: prices on the grid", "prices"),
    "periods": _c("periods the session ran (to convergence, or the cap)", "periods"),
    "cycle_length": _c("length of the limit cycle of greedy play (a constant price is 1; Klein: periods, one seller "
                       "moving in each)", "periods"),
    "is_nash": _c("every seller's greedy strategy is a best reply (policy iteration) in every state of the cycle: "
                  "pricelab's stricter test, not Calvano et al.'s", "true/false"),
    "one_shot_proof": _c("no seller gains from a one-period deviation on the cycle followed by its own learned "
                         "strategy: Calvano et al.'s 'Nash equilibrium on path' test", "true/false"),
    "best_reply_gap": _c("the largest seller's relative gain from a best reply on the cycle", "ratio"),
    "deviation_gain": _c("the deviator's discounted gain from the impulse response's forced deviation", "ratio"),
    "deviation_profitable": _c("whether that gain is positive", "true/false"),
    "deviation_rows": _c("Calvano: the deviations Calvano et al.'s package checks in the session, every seller's from "
                         "every cycle state (sellers x cycle length)", "deviations"),
    "ic_share": _c("Calvano: share of those deviations (one period at the static best response, then the learned "
                   "strategies) whose discounted value is strictly below the learned action's, as the authors' "
                   "package counts incentive compatibility (a tie is not)", "share"),
    "price_response": _c("Calvano: the non-deviators' mean relative price change from the deviation period to the "
                         "next, over those deviations (the package's IR)", "ratio"),
    "punishment_length": _c("Calvano: mean periods from the deviation (period 1) until play is back on the "
                            "pre-deviation cycle (the package's ShockLength)", "periods"),
    "profitability": _c("Klein's profitability on pricelab's scale: mean profit per seller / 1/8 (Klein prints the "
                        "profit itself, 1/8 x this)", "ratio"),
    "constant": _c("Klein: the session ends at a constant price pair (a focal price)", "true/false"),
}

LLM = {
    "attempt": _c("an LLM pricer's try at this tick, from 0 (a try after a reply it could not use; the fallback's "
                  "row is the last)"),
    "prompt": _c("the prompt the LLM pricer sent (empty in a fallback's row)"),
    "reply": _c("the model's reply, as it came (empty in a fallback's row)"),
    "reply_price": _c("the price read from the reply (null: none usable); in a fallback's row, the fallback's price",
                      f"{MONEY} per unit"),
    "problem": _c("why the reply could not be used, as fed back to the model (null: it could); in a fallback's "
                  "row, the fallback and the last problem"),
}

SCREENS = {
    "family": _c("the simulated market's family in a screens calibration (e.g. best_response, qlearning, nessie)"),
    "index": _c("the simulated market's index within its family"),
    "collusive": _c("whether the family is collusive (trained learners, trigger strategies, hub and spoke, a "
                    "prober with followers) or competitive", "true/false"),
    "n_sellers": _c("sellers in the simulated market", "sellers"),
    "burn_in": _c("ticks dropped before the panel was scored", "ticks"),
    "split": _c("the market's part in the calibration: fit (the combined screen), tune (thresholds) or held_out "
                "(the error rates reported)"),
    "missing": _c("share of the simulated market's observed prices dropped (gaps in the panel)", "share (0 to 1)"),
    "noise": _c("sd of the relative noise on each observed price of the simulated market", "ratio"),
    "shock_every": _c("mean ticks between the simulated market's cost and demand shocks", "ticks"),
    "mean_price": _c("mean observed price over the panel's grid and sellers", "currency per unit"),
    "variance": _c("screen: mean over sellers of the variance of price (Abrantes-Metz et al. 2006)",
                   "(currency per unit)^2"),
    "cv": _c("screen: mean over sellers of the coefficient of variation of price, sd / mean", "ratio"),
    "change_frequency": _c("screen: share of grid steps with a price change (rigidity)", "share (0 to 1)"),
    "change_size": _c("screen: mean |price change| / price over the changes", "ratio"),
    "parallelism": _c("screen: mean pairwise correlation of sellers' price changes", "correlation"),
    "lead_follow": _c("screen: largest lagged correlation of a leader's changes with a follower's", "correlation"),
    "asymmetry": _c("screen: pass-through of rivals' rises minus that of their cuts", "ratio"),
    "edgeworth": _c("screen: minus the median relative price change (Edgeworth-cycle signature)", "ratio"),
    "markup_over_nash": _c("screen: mean (price - static Nash price) / Nash price", "ratio"),
    "lerner": _c("screen: mean Lerner index, (price - cost) / price", "ratio"),
    "structural_break": _c("screen: share of the price level's variance explained by one break in its mean "
                           "(sup-F, Andrews 1993)", "share (0 to 1)"),
}

RESPOND = {
    "setting": _c("a setting a re-tuning seller chooses (compare --respond): 'strategy', a tunable parameter of its "
                  "strategy, or 'period'"),
    "given": _c("the setting's value in the scenario as given, as text (null: the strategy chosen has no such "
                "parameter there)"),
    "chosen": _c("the setting's value the seller chose at the arm's equilibrium, as text (null: the strategy "
                 "chosen has no such parameter)"),
    "given_value": _c("the given value as a number (null for the strategy)", "as the setting (period: ticks)"),
    "chosen_value": _c("the chosen value as a number (null for the strategy)", "as the setting (period: ticks)"),
    "status": _c("how the equilibrium search ended: converged (no responder gains more than the tolerance), cycle "
                 "(the best responses cycle; measured where the cycle closed) or not converged (max_rounds reached)"),
    "rounds": _c("rounds of best responses the search ran", "rounds"),
    "simulations": _c("simulations the search ran: profiles evaluated x search seeds", "simulations"),
    "search_seeds": _c("seeds every candidate setting was measured on (common random numbers)", "seeds"),
    "profit_given": _c("the seller's firm's profit (its own without co-owned sellers) at the settings as given, "
                       "mean over the search seeds", PER_TICK),
    "profit_chosen": _c("the seller's firm's profit at the equilibrium settings, mean over the search seeds",
                        PER_TICK),
    "remaining_gain": _c("the seller's gain from its best response at the equilibrium settings (at most the "
                         "tolerance when converged)", PER_TICK),
    "gain": _c("the seller's gain from re-tuning on the comparison's seeds: its firm's profit at the arm's "
               "equilibrium minus with settings as given, the mean paired difference", PER_TICK),
    "gain_ci_low": _c("lower end of the 95% Student-t interval of the gain", PER_TICK),
    "gain_ci_high": _c("upper end of the 95% Student-t interval of the gain", PER_TICK),
    "respond_status": _c("a sweep run with [respond]: how its equilibrium search ended (see status)"),
    "respond_simulations": _c("a sweep run with [respond]: simulations its equilibrium search ran", "simulations"),
}

CALIBRATION = {
    "market": _c("a market of a product panel: the panel's own (calibrate), or a day of a run (export)"),
    "product": _c("a product of a product panel (export: a seller of the run)"),
    "firm": _c("the firm that sets the product's price: its owner, or the product itself if it has none"),
    "observed_price": _c("the product's price in the panel", f"{MONEY} per unit"),
    "market_share": _c("the product's share of the market's shoppers (units sold / shoppers, or the panel's share); "
                       "the outside option's is 1 - the sum", "share (0 to 1)"),
    "quality": _c("the product's quality a_j in the engine's logit, s_j = exp((a_j - p_j)/mu) / (sum_k exp((a_k - "
                  "p_k)/mu) + exp(a_0/mu)); calibrate: a_0 + p_j + mu (ln s_j - ln s_0) with a_0 = 0",
                  f"{MONEY} per unit"),
    "marginal_cost": _c("the product's marginal cost: observed, or from the first-order conditions (cost_source); "
                        "export: the seller's own cost plus its brand's wholesale price", f"{MONEY} per unit"),
    "cost_source": _c("where the marginal cost comes from: observed (the panel) or first_order (the Bertrand "
                      "first-order conditions under the market's ownership)"),
    "units": _c("units the product sold in the market (export: in the day)", UNITS),
    "market_size": _c("the market's potential buyers (export: shoppers who came in the day)", "shoppers"),
    "observed": _c("the twin check: the measure on the observed prices", "the metric's unit"),
    "twin": _c("the twin check: the measure on the twin (the calibrated market with its repricers)",
               "the metric's unit"),
    "cycle_hours": _c("mean time between rises of the lowest price (an Edgeworth cycle's restorations), on the "
                      "observed prices' grid; NaN with fewer than two rises", "hours"),
    "market_ids": _c("pyblp's market id: the day of the run (export --format pyblp)"),
    "product_ids": _c("pyblp's product id: the seller's name"),
    "firm_ids": _c("pyblp's firm id: the seller's owner, or the seller itself"),
    "shares": _c("pyblp's market share: units sold in the day / shoppers who came", "share (0 to 1)"),
    "prices": _c("pyblp's price: the seller's mean price over the day's ticks", f"{MONEY} per unit"),
    "costs": _c("pyblp's marginal cost: own cost plus the brand's wholesale price, mean over the day",
                f"{MONEY} per unit"),
    "qualities": _c("the engine's quality a_j (the day's, with demand shocks): delta_j = (a_j - p_j)/mu in pyblp's "
                    "units", f"{MONEY} per unit"),
}

SESSION_SELLER = {
    "price": _c("the seller's mean price over the session's limit cycle of greedy play", f"{MONEY} per unit"),
    "profit": _c("the seller's mean profit per period over the session's limit cycle", "currency per period"),
    "delta": _c("the seller's profit gain over the limit cycle, (profit - Nash) / (monopoly - Nash)", "ratio"),
}

OBSERVED = {
    "strategy": _c("the registered rule inference found for the seller (null: none fits)"),
    "rule_family": _c("the family of that rule: fixed, cost-based, matching, undercutting, leadership, best response; "
                      "none"),
    "params": _c("the rule's fitted parameters, as JSON (\"cost\": set at the seller's cost)", "as the rule's"),
    "period": _c("infer: inferred ticks between the seller's repricings (null: its price never moved); the "
                 "dashboard's export: the period of a repeated game, counted from the end of training as the page "
                 "counts it (null in a market on the clock)", "ticks"),
    "phase": _c("inferred tick, counted from the panel's first midnight, at which it reprices, modulo the period",
                "ticks"),
    "lag": _c("inferred age of the rival prices it reacts to (null: its rule reads no rival price)", "ticks"),
    "periods": _c("the periods that explain its moves as well as the one reported, as JSON (the data cannot tell "
                  "them apart)", "ticks"),
    "lag_low": _c("shortest lag that explains its moves as well (the reported lag lies between)", "ticks"),
    "lag_high": _c("longest such lag", "ticks"),
    "tracks": _c("for match_platform: the seller whose price it tracks"),
    "fit_score": _c("balanced hit rate of the rule replayed one step ahead: half the share of price changes it "
                    "predicts plus half the share of non-changes", "share (0 to 1)"),
    "change_hits": _c("share of observed price changes the rule predicts", "share (0 to 1)"),
    "non_change_hits": _c("share of observed non-changes the rule predicts", "share (0 to 1)"),
    "changes": _c("price changes observed between consecutive observations of the seller", "changes"),
    "observations": _c("ticks in which the seller's price was observed", "ticks"),
    "best_rule": _c("the best-scoring rule, also when none fits"),
    "algorithmic": _c("whether the rule found reads rivals' prices (a repricer)", "true/false"),
    "rule_support": _c("share of day-resamples that choose the same rule", "share (0 to 1)"),
    "period_support": _c("share of day-resamples that choose a period within one tick of it", "share (0 to 1)"),
    "lag_support": _c("share of day-resamples that choose a lag within one tick of it", "share (0 to 1)"),
    "tracking_correlation": _c("baseline in the manner of Chen, Mislove and Wilson (2016): the larger correlation "
                               "of the seller's price with the lowest rival price or the Buy Box price", "correlation"),
    "tracking_algorithmic": _c("the baseline's call: correlation >= 0.7 and at least 20 price changes",
                               "true/false"),
    "follower": _c("a seller whose moves the rule explains by a rival's price"),
    "leader": _c("the rival whose price it read for those moves"),
    "move_share": _c("share of the follower's explained moves read from this leader", "share (0 to 1)"),
    "delay_ticks": _c("median ticks from the leader's last change to the follower's move", "ticks"),
    "delay_minutes": _c("the same delay in minutes", "minutes"),
    "panel": _c("the held-out panel's index in an infer calibration"),
    "market": _c("the kind of the held-out panel's core: cost (a cost-plus seller), cycle (Edgeworth), both, or "
                 "leader (a price-leadership prober)"),
    "cost_known": _c("whether the seller's cost is in the held-out panel", "true/false"),
    "true_strategy": _c("the rule the seller runs in the engine (held-out panels)"),
    "true_rule_family": _c("its family"),
    "true_period": _c("its period in the engine", "ticks"),
    "true_phase": _c("its phase, counted as inference counts it (from the panel's first midnight)", "ticks"),
    "true_lag": _c("its lag in the engine", "ticks"),
    "reads_rivals": _c("whether its rule reads rivals' prices", "true/false"),
    "moves": _c("its price changes in the engine over the observed days", "changes"),
    "infer_seconds": _c("inference time per seller of the panel", "seconds"),
}

CLASSROOM = {
    "room": _c("the classroom room's id (not its join code)"),
    "room_market": _c("the market within the room, from 0: one shared market (0), or one per student"),
    "student": _c("the name the student joined with (null: the seller is priced by its algorithm)"),
    "seat": _c("whether a person priced the seller (its seat) rather than its algorithm", "true/false"),
    "game_period": _c("the game's period from 0: the seat's repricing period (in a repeated game, a tick; under a "
                      "daily-price rule, a day) the tick belongs to", "periods"),
    "kept": _c("a seat asked for a price in this period gave none in time and kept its last one (null: the row is "
               "not the period's first tick, or the seller is no seat asked in it)", "true/false"),
    "rules": _c("the rules the teacher switched on for the room, in force at this tick (comma-separated catalog "
                "names of market.interventions; empty: none)"),
}

COLUMNS: dict[str, Column] = {**IDENTIFIERS, **CLASSROOM, **TIMESERIES, **MARKET, **SELLER, **RUNS, **STATISTICS,
                               **SESSIONS, **SCREENS, **RESPOND, **CALIBRATION, **LLM, **OBSERVED}

# Columns named after something else: (pattern, description template, unit template; None: the entry's unit).
PATTERNS = (
    (re.compile(r"^seller\.(?P<who>[^.]+)\.(?P<metric>[a-z_]+)$"), "seller {who}: {entry}", None),
    (re.compile(r"^role\.(?P<who>[^.]+)\.(?P<metric>[a-z_]+)$"), "role {who}: {entry}", None),
    (re.compile(r"^owner\.(?P<who>[^.]+)\.(?P<metric>[a-z_]+)$"), "firm {who} (its sellers together): {entry}",
     None),
    (re.compile(r"^(?P<session>price|profit|delta)_(?P<who>\d+)$"), "seller {who} (from 0): {entry}", None),
    (re.compile(r"^fixed_(?P<metric>baseline|mean|difference|se|ci_low|ci_high|relative_change_pct|n)$"),
     "with settings fixed: {entry}", None),
    (re.compile(r"^responding_(?P<metric>baseline|mean|difference|se|ci_low|ci_high|relative_change_pct|n)$"),
     "with firms responding (each arm at its equilibrium, against the baseline at its own): {entry}", None),
    (re.compile(r"^respond\.(?P<who>[^.]+)\.(?P<setting>[a-z_]+)$"),
     "a sweep run with [respond]: the value of {setting} seller {who} chose at the equilibrium", "as the setting"),
    (re.compile(r"^(?P<path>(sellers|demand|platform|inventory|training|measure)\..+|interventions|horizon|tick_minutes"
                r"|history|record_stride)$"),
     "scenario field {path} swept (a sweep) or drawn per seed (compare --vary): its value in this run (lists and "
     "tables as JSON)", "as the scenario field"),
)


def describe(column: str) -> Column:
    """The entry of ``column``; ``KeyError`` naming it if the codebook does not describe it."""
    if column in COLUMNS:
        return COLUMNS[column]
    for pattern, template, unit in PATTERNS:
        match = pattern.match(column)
        if match is None:
            continue
        found = match.groupdict()
        named = SESSION_SELLER[found["session"]] if "session" in found else COLUMNS.get(found.get("metric", ""))
        if unit is None and named is None:
            continue
        parts = {**match.groupdict(), "entry": named.description if named else ""}
        return Column(template.format(**parts), unit or named.unit)
    raise KeyError(f"column {column!r} is not in the codebook (market/codebook.py)")


def parquet_metadata(columns) -> dict[str, str]:
    """Schema metadata for a Parquet file with ``columns``: ``pricelab.codebook`` = JSON {column: {description,
    unit}}."""
    entries = {c: {"description": describe(c).description, "unit": describe(c).unit} for c in columns}
    return {"pricelab.codebook": json.dumps(entries)}


IDS = ("scenario", "seed", "run_id")  # first in every file (market.results.ID_COLUMNS)

FILES = (
    ("every file", IDS),
    ("run: timeseries.parquet", ("tick", "day", "seller", "role", "price", "quantity", "profit", "fee", "featured",
                                 "stock")),
    ("run: market_timeseries.parquet", ("tick", "day", "shoppers", "consumer_surplus", "fee_income",
                                        "featured_seller")),
    ("run: sellers.parquet", ("seller", "role", "owner", "cost", "mean_price", "margin", "share", "quantity", "profit",
                              "fee_paid", "featured_share", "price_changes", "units_sold_off", "units_returned",
                              "units_donated", "units_destroyed", "destroyed_value", "storage_fees_paid",
                              "disposal_costs_paid", "stock_held", "nash_price", "monopoly_price", "nash_profit",
                              "monopoly_profit", "nash_price_low", "nash_price_high")),
    ("run: summary.parquet", (*RUNS, "delta", "mean_price", "weighted_price", "mean_margin",
                              "consumer_surplus", "industry_profit", "total_welfare", "hhi", "price_dispersion",
                              "price_changes_per_day", "fee_income", "shoppers", "units_sold_off", "...",
                              "nash_benchmark")),
    ("compare: runs.parquet", ("arm", "level", "name", "metric", "value", "whole_run", "learners", "trained",
                               "converged", "training_ticks", "warm_up_ticks", "settled", "settled_by",
                               "cycle_ticks")),
    ("compare: runs.parquet, with --vary", ("...", "<drawn paths>")),
    ("compare: differences.parquet", ("arm", "level", "name", "metric", "baseline", "mean", "difference", "se",
                                      "ci_low", "ci_high", "relative_change_pct", "n", "whole_difference")),
    ("compare: decomposition.parquet", ("package", "component", "level", "name", "metric", "difference", "ci_low",
                                        "ci_high", "n")),
    ("compare: timeseries.parquet", ("arm", "tick", "day", "seller", "price", "featured")),
    ("compare --respond: respond.parquet", ("arm", "seller", "setting", "given", "chosen", "given_value",
                                            "chosen_value", "status", "rounds", "simulations", "search_seeds",
                                            "profit_given", "profit_chosen", "remaining_gain", "gain", "gain_ci_low",
                                            "gain_ci_high", "n")),
    ("compare --respond: respond_effects.parquet", ("arm", "level", "name", "metric", "fixed_<statistic>",
                                                    "responding_<statistic>")),
    ("compare --respond: responding/", ("<compare's files, the arms at their equilibria>",)),
    ("sweep: runs/<run id>.parquet", ("run_index", "replicate", "<swept paths>", "ticks",
                                      "learners", "trained", "converged", "training_ticks", "warm_up_ticks",
                                      "settled", "settled_by", "cycle_ticks", "<kept metrics>",
                                      "seller.<name>.<metric>", "role.<role>.<metric>", "owner.<firm>.<metric>")),
    ("sweep: timeseries/<run id>.parquet", ("<run: timeseries.parquet>",)),
    ("sweep: failures/<run id>.parquet", ("run_index", "values", "error")),
    ("sweep: report/effects.parquet", ("<swept paths>", "metric", "baseline", "mean", "difference", "se", "ci_low",
                                       "ci_high", "relative_change_pct", "n")),
    ("replicate: sessions.parquet", ("master_seed", "session", "alpha", "beta (Calvano)", "theta (Klein)",
                                     "discount", "m, xi (Calvano)", "k (Klein)", "converged", "periods", "delta",
                                     "delta_<i>", "price_<i>",
                                     "profit_<i>", "cycle_length", "is_nash (Calvano)", "...", "constant (Klein)")),
    ("screen --calibrate: scores.parquet", ("family", "index", "collusive", "n_sellers", "burn_in", "delta",
                                            "converged", "training_ticks", "missing", "noise", "shock_every",
                                            "mean_price", "<one column per screen>", "split")),
    ("infer: fits.parquet", ("seller", "strategy", "params", "period", "phase", "lag", "lag_low", "lag_high",
                             "tracks", "fit_score", "change_hits", "non_change_hits", "changes", "observations",
                             "best_rule", "algorithmic", "rule_support", "period_support", "lag_support",
                             "tracking_correlation", "tracking_algorithmic")),
    ("infer: follows.parquet", ("follower", "leader", "moves", "move_share", "delay_ticks", "delay_minutes")),
    ("infer --calibrate: sellers.parquet", ("panel", "market", "n_sellers", "seller", "cost_known", "true_strategy",
                                            "true_rule_family", "true_period", "true_phase", "true_lag",
                                            "reads_rivals", "moves", "changes", "strategy", "rule_family", "period",
                                            "periods", "phase", "lag", "lag_low", "lag_high", "fit_score",
                                            "rule_support", "algorithmic", "tracking_correlation",
                                            "tracking_algorithmic", "infer_seconds")),
    ("calibrate: calibration.parquet", ("market", "product", "seller", "firm", "observed_price", "market_share",
                                        "quality", "marginal_cost", "cost_source", "nash_price")),
    ("calibrate: twin.parquet", ("market", "name", "metric", "observed", "twin")),
    ("export --format long", ("market", "product", "firm", "mean_price", "market_share", "units", "market_size",
                              "marginal_cost", "quality")),
    ("export --format pyblp", ("market_ids", "product_ids", "firm_ids", "shares", "prices", "costs", "qualities")),
    ("LLMPricer(log=PATH)", ("seller", "tick", "attempt", "prompt", "reply", "reply_price", "problem")),

    ("dashboard export", ("tick", "period", "day", "time", "<run: timeseries.parquet>", "shoppers", "consumer_surplus",
                          "fee_income", "run")),
    ("classroom export", ("room", "room_market", "game_period", "tick", "seller", "student", "seat", "price",
                          "quantity", "profit", "kept", "rules")),
)


def render() -> str:
    """CODEBOOK.md: every entry, then which file holds which columns."""
    lines = ["# Codebook", "", "Generated from `market/codebook.py` (`python -m market.codebook > CODEBOOK.md`). "
             "Every Parquet file pricelab writes carries the entries of its columns in its schema metadata (key "
             "`pricelab.codebook`, JSON): `polars.read_parquet_metadata(path)`, `pyarrow.parquet.read_schema(path)"
             ".metadata`, R's `arrow::read_parquet(path, as_data_frame = FALSE)$metadata`, DuckDB's "
             "`parquet_kv_metadata(path)`.", "", INTRO, ""]
    groups = (("Identifiers", IDENTIFIERS), ("Time series (per tick)", TIMESERIES),
              ("Market outcomes (run summaries; also metric names in long tables)", MARKET),
              ("Seller outcomes", SELLER), ("Runs and training", RUNS), ("Paired statistics", STATISTICS),
              ("Replication sessions", SESSIONS), ("Collusion screens (pricelab screen)", SCREENS),
              ("Firms re-tuning their repricers (compare --respond, sweep [respond])", RESPOND),
              ("Calibration and exports (pricelab calibrate, export)", CALIBRATION),
              ("LLM pricer's log (market.llm)", LLM), ("Classroom (pricelab classroom)", CLASSROOM),
              ("Observed prices (pricelab infer)", OBSERVED))
    for title, entries in groups:
        lines += [f"## {title}", "", "| column | description | unit |", "|---|---|---|"]
        lines += [f"| `{k}` | {v.description} | {v.unit} |" for k, v in entries.items()] + [""]
    lines += ["## Named columns", "", "| pattern | description |", "|---|---|",
              "| `seller.<name>.<metric>`, `role.<role>.<metric>`, `owner.<firm>.<metric>` | a seller's, role's or "
              "firm's outcome (sweep `[keep]`) |",
              "| `price_<i>`, `profit_<i>`, `delta_<i>` | seller i's mean over a replication session's limit "
              "cycle |",
              "| `<dotted path>` | a swept scenario field's value in a sweep run |",
              "| `fixed_<statistic>`, `responding_<statistic>` | a paired statistic with settings fixed / with firms "
              "re-tuning (compare --respond) |",
              "| `respond.<seller>.<setting>` | the setting a re-tuning seller chose (sweep `[respond]`) |", "",
              "## Files", "", "| file | columns |", "|---|---|"]
    lines += [f"| {name} | {', '.join(f'`{c}`' for c in columns)} |" for name, columns in FILES]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
