using System.Globalization;
using System.Text;

namespace LossKit.Samples;

/// <summary>One curve of a panel: its points, colour and dash pattern (null for a solid line).</summary>
public sealed record Series(string Label, double[] X, double[] Y, string Color, string? Dash = null, double Width = 2.2);

/// <summary>One chart: title, axis labels, ranges, curves, and an optional note under the title.</summary>
public sealed record Panel(string Title, string XLabel, string YLabel, (double min, double max) XRange, (double min, double max) YRange,
    IReadOnlyList<Series> Series, string? Note = null);

/// <summary>A row of panels that show the same curves, with one legend for them all at the row's right end.</summary>
public sealed record PanelRow(IReadOnlyList<Panel> Panels, IReadOnlyList<Series> Legend);

/// <summary>
/// A small SVG writer for line charts: rows of panels, each with a frame, ticks and grid lines, labelled axes, a title
/// and curves clipped to the frame, and one legend per row beside the panels (so that it hides no curve). Plain SVG 1.1 with no scripts or external resources, so any browser (or
/// rsvg-convert) shows it.
/// </summary>
public static class SvgPlot
{
    private const double PanelWidth = 560, PanelHeight = 400, HeaderHeight = 56;
    private const double Left = 74, Right = 18, Top = 62, Bottom = 56; // the frame's margins inside a panel

    /// <summary>The SVG document for <paramref name="rows"/>, one under the other.</summary>
    public static string Render(string title, IReadOnlyList<PanelRow> rows)
    {
        var columns = rows.Max(r => r.Panels.Count);
        var legendWidth = rows.Max(r => LegendSize(r.Legend).width) + 24;
        var width = columns * PanelWidth + legendWidth;
        var height = HeaderHeight + rows.Count * PanelHeight;
        var svg = new StringBuilder();
        svg.AppendLine("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        svg.AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{N(width)}\" height=\"{N(height)}\" viewBox=\"0 0 {N(width)} {N(height)}\" " +
                       "font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\" font-size=\"13\">");
        svg.AppendLine($"<title>{Escape(title)}</title>");
        svg.AppendLine($"<rect x=\"0\" y=\"0\" width=\"{N(width)}\" height=\"{N(height)}\" fill=\"white\"/>");
        svg.AppendLine($"<text x=\"{N(width / 2)}\" y=\"34\" text-anchor=\"middle\" font-size=\"20\" font-weight=\"bold\">{Escape(title)}</text>");
        var index = 0;
        for (var r = 0; r < rows.Count; r++)
        {
            var oy = HeaderHeight + r * PanelHeight;
            for (var c = 0; c < rows[r].Panels.Count; c++)
                RenderPanel(svg, rows[r].Panels[c], index++, c * PanelWidth, oy);
            var (_, h) = LegendSize(rows[r].Legend);
            RenderLegend(svg, rows[r].Legend, columns * PanelWidth, oy + Top + (PanelHeight - Top - Bottom - h) / 2);
        }
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static void RenderPanel(StringBuilder svg, Panel panel, int index, double ox, double oy)
    {
        var x0 = ox + Left;
        var x1 = ox + PanelWidth - Right;
        var y0 = oy + PanelHeight - Bottom; // the frame's bottom (y grows downwards in SVG)
        var y1 = oy + Top;
        double Px(double x) => x0 + (x - panel.XRange.min) / (panel.XRange.max - panel.XRange.min) * (x1 - x0);
        double Py(double y) => y0 - (y - panel.YRange.min) / (panel.YRange.max - panel.YRange.min) * (y0 - y1);

        svg.AppendLine($"<g id=\"panel-{index + 1}\">");
        svg.AppendLine($"<text x=\"{N((x0 + x1) / 2)}\" y=\"{N(oy + 24)}\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{Escape(panel.Title)}</text>");
        if (panel.Note is not null)
            svg.AppendLine($"<text x=\"{N((x0 + x1) / 2)}\" y=\"{N(oy + 44)}\" text-anchor=\"middle\" font-size=\"11.5\" fill=\"#555\">{Escape(panel.Note)}</text>");

        // Grid and ticks.
        foreach (var t in Ticks(panel.XRange.min, panel.XRange.max))
        {
            svg.AppendLine($"<line x1=\"{N(Px(t))}\" y1=\"{N(y1)}\" x2=\"{N(Px(t))}\" y2=\"{N(y0)}\" stroke=\"#e3e3e3\"/>");
            svg.AppendLine($"<text x=\"{N(Px(t))}\" y=\"{N(y0 + 18)}\" text-anchor=\"middle\">{TickLabel(t)}</text>");
        }
        foreach (var t in Ticks(panel.YRange.min, panel.YRange.max))
        {
            svg.AppendLine($"<line x1=\"{N(x0)}\" y1=\"{N(Py(t))}\" x2=\"{N(x1)}\" y2=\"{N(Py(t))}\" stroke=\"#e3e3e3\"/>");
            svg.AppendLine($"<text x=\"{N(x0 - 7)}\" y=\"{N(Py(t) + 4.5)}\" text-anchor=\"end\">{TickLabel(t)}</text>");
        }
        // The axes through zero, where zero is inside the ranges.
        if (panel.YRange.min < 0 && panel.YRange.max > 0)
            svg.AppendLine($"<line x1=\"{N(x0)}\" y1=\"{N(Py(0))}\" x2=\"{N(x1)}\" y2=\"{N(Py(0))}\" stroke=\"#888\"/>");
        if (panel.XRange.min < 0 && panel.XRange.max > 0)
            svg.AppendLine($"<line x1=\"{N(Px(0))}\" y1=\"{N(y1)}\" x2=\"{N(Px(0))}\" y2=\"{N(y0)}\" stroke=\"#888\"/>");
        svg.AppendLine($"<rect x=\"{N(x0)}\" y=\"{N(y1)}\" width=\"{N(x1 - x0)}\" height=\"{N(y0 - y1)}\" fill=\"none\" stroke=\"#333\"/>");

        // Axis labels.
        svg.AppendLine($"<text x=\"{N((x0 + x1) / 2)}\" y=\"{N(y0 + 42)}\" text-anchor=\"middle\" font-size=\"14\">{Escape(panel.XLabel)}</text>");
        var ly = (y0 + y1) / 2;
        svg.AppendLine($"<text x=\"{N(ox + 22)}\" y=\"{N(ly)}\" text-anchor=\"middle\" font-size=\"14\" transform=\"rotate(-90 {N(ox + 22)} {N(ly)})\">{Escape(panel.YLabel)}</text>");

        // Curves, clipped to the frame (a curve may leave the chosen range, MSE's does).
        var clip = $"clip-{index + 1}";
        svg.AppendLine($"<clipPath id=\"{clip}\"><rect x=\"{N(x0)}\" y=\"{N(y1)}\" width=\"{N(x1 - x0)}\" height=\"{N(y0 - y1)}\"/></clipPath>");
        svg.AppendLine($"<g clip-path=\"url(#{clip})\" fill=\"none\" stroke-linejoin=\"round\" stroke-linecap=\"round\">");
        foreach (var s in panel.Series)
        {
            var d = new StringBuilder();
            for (var i = 0; i < s.X.Length; i++)
            {
                if (!double.IsFinite(s.Y[i])) continue;
                // Far-off points are pulled to just outside the frame so that the path stays short and valid.
                var py = Math.Clamp(Py(s.Y[i]), y1 - 50, y0 + 50);
                d.Append(d.Length == 0 ? "M" : " L").Append(N(Px(s.X[i]))).Append(',').Append(N(py));
            }
            var dash = s.Dash is null ? "" : $" stroke-dasharray=\"{s.Dash}\"";
            svg.AppendLine($"<path data-loss=\"{Escape(s.Label)}\" d=\"{d}\" stroke=\"{s.Color}\" stroke-width=\"{N(s.Width)}\"{dash}/>");
        }
        svg.AppendLine("</g>");
        svg.AppendLine("</g>");
    }

    private const double LegendLine = 20, Swatch = 30, Pad = 9;

    // DejaVu Sans at 13 px: about 7.2 px a character.
    private static (double width, double height) LegendSize(IReadOnlyList<Series> series) =>
        (Pad * 3 + Swatch + series.Max(s => s.Label.Length) * 7.0, Pad * 2 + LegendLine * series.Count - 4);

    private static void RenderLegend(StringBuilder svg, IReadOnlyList<Series> series, double lx, double ly)
    {
        var (w, h) = LegendSize(series);
        svg.AppendLine("<g class=\"legend\">");
        svg.AppendLine($"<rect x=\"{N(lx)}\" y=\"{N(ly)}\" width=\"{N(w)}\" height=\"{N(h)}\" fill=\"white\" stroke=\"#bbb\" rx=\"4\"/>");
        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            var cy = ly + Pad + 6 + i * LegendLine;
            var dash = s.Dash is null ? "" : $" stroke-dasharray=\"{s.Dash}\"";
            svg.AppendLine($"<line x1=\"{N(lx + Pad)}\" y1=\"{N(cy)}\" x2=\"{N(lx + Pad + Swatch)}\" y2=\"{N(cy)}\" stroke=\"{s.Color}\" stroke-width=\"{N(s.Width)}\"{dash}/>");
            svg.AppendLine($"<text x=\"{N(lx + Pad * 2 + Swatch)}\" y=\"{N(cy + 4.5)}\">{Escape(s.Label)}</text>");
        }
        svg.AppendLine("</g>");
    }

    /// <summary>Round tick positions (steps of 1, 2 or 5 times a power of ten), about six of them across the range.</summary>
    public static IEnumerable<double> Ticks(double min, double max)
    {
        var raw = (max - min) / 6;
        var power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1.0, 2.0, 2.5, 5.0, 10.0 }.Select(m => m * power).First(s => s >= raw);
        for (var t = Math.Ceiling(min / step - 1e-9) * step; t <= max + step * 1e-9; t += step)
            yield return Math.Abs(t) < step * 1e-9 ? 0 : t;
    }

    private static string TickLabel(double t) => t.ToString("0.###", CultureInfo.InvariantCulture).Replace('-', '\u2212');

    private static string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
}
