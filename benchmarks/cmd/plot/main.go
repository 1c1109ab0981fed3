// Command plot draws the raw results of the benchmark suite: one chart per
// kernel, median throughput against size (both axes logarithmic), one line
// per implementation, the ceilings (copy, read, write) dashed, all kernels tiled
// in one image with a shared legend.
//
// Usage:
//
//	go run ./cmd/plot [-o FILE.png|FILE.svg] results/FILE.txt...
//
// The image goes to -o, by default the first results file with its
// extension replaced by .png, so that it lands next to the results.
package main

import (
	"flag"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/qkernels/quant/benchmarks/internal/results"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Tile size and layout: the legend takes the first free tile.
const (
	tileW = 5 * vg.Inch
	tileH = 3.6 * vg.Inch
	cols  = 3
)

func main() {
	out := flag.String("o", "", "output file, .png or .svg (default: the first results file with .png)")
	files := results.Args("usage: plot [-o FILE.png|FILE.svg] results.txt...")
	if err := run(*out, files); err != nil {
		fmt.Fprintln(os.Stderr, "plot:", err)
		os.Exit(1)
	}
}

func run(out string, files []string) error {
	res, err := results.Load(files...)
	if err != nil {
		return err
	}
	if out == "" {
		out = strings.TrimSuffix(files[0], filepath.Ext(files[0])) + ".png"
	}
	format := strings.TrimPrefix(filepath.Ext(out), ".")
	if format != "png" && format != "svg" {
		return fmt.Errorf("%s: want a .png or .svg file", out)
	}

	st := newStyles(res)
	rows := (len(res.Kernels) + 1 + cols - 1) / cols // +1: the legend
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for i, k := range res.Kernels {
		grid[i/cols][i%cols] = chart(res, k, st)
	}
	title := vg.Length(0)
	if res.Config["quant-cpu"] != "" {
		title = 0.4 * vg.Inch
	}
	c, err := draw.NewFormattedCanvas(cols*tileW, vg.Length(rows)*tileH+title, format)
	if err != nil {
		return err
	}
	dc := draw.New(c)
	if title > 0 { // the CPU once, above the tiles
		style := plot.New().Title.TextStyle
		style.XAlign, style.YAlign = draw.XCenter, draw.YCenter
		dc.FillText(style, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Max.Y - title/2}, res.Config["quant-cpu"])
		dc.Max.Y -= title
	}
	pad := 3 * vg.Millimeter
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: pad, PadY: pad, PadTop: pad, PadBottom: pad, PadLeft: pad, PadRight: pad}
	canvases := plot.Align(grid, tiles, dc)
	for i := range grid {
		for j, p := range grid[i] {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
	n := len(res.Kernels)
	legendTile := tiles.At(dc, n%cols, n/cols)
	legendTile.Min.X += 0.5 * vg.Inch
	legendTile.Max.Y -= 0.3 * vg.Inch
	st.legend.Draw(legendTile)

	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := c.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Println(out)
	return nil
}

var ceilings = map[string]bool{"copy": true, "read": true, "write": true}

// palette gives each implementation the same color in every chart:
// quant black, the others in order of appearance.
var palette = []color.RGBA{
	{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
	{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {23, 190, 207, 255},
	{188, 189, 34, 255}, {127, 127, 127, 255},
}

type styles struct {
	line   map[string]draw.LineStyle
	glyph  map[string]draw.GlyphStyle
	legend plot.Legend
}

func newStyles(res *results.Run) *styles {
	st := &styles{line: map[string]draw.LineStyle{}, glyph: map[string]draw.GlyphStyle{}, legend: plot.NewLegend()}
	shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{},
		draw.PlusGlyph{}, draw.CrossGlyph{}, draw.RingGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}}
	next := 0
	for _, k := range res.Kernels {
		for _, impl := range res.Impls[k] {
			if _, ok := st.line[impl]; ok {
				continue
			}
			ls := draw.LineStyle{Width: vg.Points(1.5)}
			gs := draw.GlyphStyle{Radius: vg.Points(2.5), Shape: shapes[next%len(shapes)]}
			switch {
			case impl == "quant":
				ls.Color, ls.Width = color.Black, vg.Points(3)
				gs.Color, gs.Shape = color.Black, draw.CircleGlyph{}
			case ceilings[impl]:
				ls.Color = color.Gray{Y: 90}
				ls.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
				switch impl {
				case "copy":
					ls.Color = color.Gray{Y: 150}
					ls.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
				case "write":
					ls.Color = color.Gray{Y: 120}
					ls.Dashes = []vg.Length{vg.Points(6), vg.Points(2), vg.Points(2), vg.Points(2)}
				}
				gs.Shape = nil
			default:
				ls.Color = palette[next%len(palette)]
				gs.Color = ls.Color
				next++
			}
			st.line[impl], st.glyph[impl] = ls, gs
			name := impl
			if ceilings[impl] {
				name += " (ceiling)"
			}
			l := &plotter.Line{LineStyle: ls}
			if gs.Shape != nil {
				st.legend.Add(name, l, &plotter.Scatter{GlyphStyle: gs})
			} else {
				st.legend.Add(name, l)
			}
		}
	}
	st.legend.TextStyle.Font.Size = vg.Points(12)
	st.legend.Top, st.legend.Left = true, true
	st.legend.ThumbnailWidth = vg.Points(30)
	return st
}

func chart(run *results.Run, kernel string, st *styles) *plot.Plot {
	p := plot.New()
	p.Title.Text = kernel
	p.X.Label.Text = "elements"
	p.Y.Label.Text = "GB/s of input"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.Y.Tick.Marker = plot.TickerFunc(ticks125)
	var ticks []plot.Tick
	for _, n := range run.Sizes[kernel] {
		ticks = append(ticks, plot.Tick{Value: float64(n), Label: sizeLabel(n)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.Add(plotter.NewGrid())
	for _, impl := range run.Impls[kernel] {
		var xys plotter.XYs
		for _, n := range run.Sizes[kernel] {
			if m, count := run.Median(kernel, n, impl); count > 0 && m > 0 {
				xys = append(xys, plotter.XY{X: float64(n), Y: m / 1e9})
			}
		}
		if len(xys) == 0 {
			continue
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			continue
		}
		line.LineStyle = st.line[impl]
		p.Add(line)
		if gs := st.glyph[impl]; gs.Shape != nil {
			sc, err := plotter.NewScatter(xys)
			if err == nil {
				sc.GlyphStyle = gs
				p.Add(sc)
			}
		}
	}
	// A log axis needs a range: widen a single point (one size, or equal
	// throughputs) to a factor of two either side.
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		if a.Min == a.Max && a.Min > 0 {
			a.Min, a.Max = a.Min/2, a.Max*2
		}
	}
	return p
}

// ticks125 labels 1, 2 and 5 times the powers of ten in [min, max].
func ticks125(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	if min <= 0 || max <= min {
		return nil
	}
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v >= min && v <= max {
				ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
			}
		}
	}
	return ticks
}

func sizeLabel(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dM", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dK", n>>10)
	}
	return fmt.Sprint(n)
}
