"""The World screen's countries for one firm (Pilot): country attractiveness, sortable.

The TUI tests' tiny scenario with Iran and Japan added; choosing Frontier (a US firm) shows
every country of the scenario as `simulator.reports.attractiveness` computes it: present at home,
Iran forbidden with the sanction's row, sorted by market size on the header's click.
"""

from __future__ import annotations

from test_tui_support import SCENARIO, SIZE, english_afterwards, write_workspace  # noqa: F401
from textual.widgets import DataTable, Select, Static

from tui.app import StrategyApp


async def test_countries_for_a_firm_sort_by_market_size_and_say_why(tmp_path):
    workspace = write_workspace(tmp_path)
    workspace["scenario"].write_text(SCENARIO.replace(
        'markets = ["DE", "FR", "US"]', 'markets = ["DE", "FR", "US", "IR", "JP"]'), "utf-8")
    app = StrategyApp(locale="en", **workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        screen.query_one("#world-firm", Select).value = "Frontier"
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        found = screen.firm_table
        assert found is not None and found.firm == "Frontier"
        table = screen.query_one("#world-table", DataTable)
        assert table.row_count == len(found.rows) == 5
        rows = {table.get_row_at(i)[0]: table.get_row_at(i) for i in range(table.row_count)}
        assert rows["US"][2] == "present" and rows["IR"][2] == "forbidden"
        assert rows["DE"][6] == "Challenger"  # the rival at home in Germany
        assert rows["US"][13] == "—"  # no advice yet for this firm
        table.move_cursor(row=list(rows).index("IR"))
        await pilot.pause()
        info = str(screen.query_one("#world-info", Static).render())
        assert "US firms may not serve in IR" in info
        # Sort by market size: the header once (largest first), again (smallest first).
        for descending in (True, False):
            columns = list(table.columns.values())
            x = sum(c.get_render_width(table) for c in columns[:3]) + 2  # the 4th header
            await pilot.click("#world-table", offset=(x, 0))
            await pilot.pause()
            codes = [table.get_row_at(i)[0] for i in range(table.row_count)]
            size = {r.iso2: r.addressable for r in found.rows}
            assert codes == sorted(size, key=size.get, reverse=descending)
            assert "Market, people " + ("▼" if descending else "▲") in [
                str(c.label) for c in table.columns.values()]
