using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests.Tensors;

public class ShapeAndIndexingTests
{
    // m = [[ 0,  1,  2,  3],
    //      [ 4,  5,  6,  7],
    //      [ 8,  9, 10, 11]]   (float32; element [i, j] = 4i + j)
    private static Tensor M() => arange(12, ScalarType.Float32).reshape(3, 4);

    [Fact]
    public void reshape_and_view_keep_row_major_order()
    {
        using var scope = NewDisposeScope();
        var m = M();
        m.reshape(4, 3).ShouldBe([4, 3], ScalarType.Float32, Enumerable.Range(0, 12).Select(i => (double)i).ToArray());
        m.reshape(-1).shape.Should().Equal(12);
        m.reshape(2, -1).shape.Should().Equal(2, 6);
        reshape(m, 6, 2).shape.Should().Equal(6, 2);
        m.view(2, 2, 3).shape.Should().Equal(2, 2, 3);
        m.view(-1, 2).shape.Should().Equal(6, 2);
        m.view_as(zeros(6, 2)).shape.Should().Equal(6, 2);
    }

    [Fact]
    public void view_shares_data_with_its_base()
    {
        using var scope = NewDisposeScope();
        var m = M();
        var v = m.view(12);
        v[5] = tensor(100f);
        m[1, 1].item<float>().Should().Be(100f, "flat position 5 is [1, 1] in a 3x4 tensor");
    }

    [Fact]
    public void view_of_a_transposed_tensor_fails_but_reshape_copies()
    {
        using var scope = NewDisposeScope();
        var t = M().t();
        t.is_contiguous().Should().BeFalse();
        var act = () => t.view(12);
        act.Should().Throw<TorchException>().WithMessage("view: view size is not compatible*");
        // t = m transposed, read row-major: column 0 of m, then column 1, ...
        t.reshape(12).ShouldBeClose([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
        t.contiguous().view(12).ShouldBeClose([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    }

    [Fact]
    public void flatten_unsqueeze_and_squeeze()
    {
        using var scope = NewDisposeScope();
        var x = zeros(2, 3, 4);
        x.flatten().shape.Should().Equal(24);
        x.flatten(1).shape.Should().Equal(2, 12);
        x.flatten(0, 1).shape.Should().Equal(6, 4);
        flatten(x, 1, 2).shape.Should().Equal(2, 12);

        var v = tensor(new float[] { 1, 2, 3 });
        v.unsqueeze(0).shape.Should().Equal(1, 3);
        v.unsqueeze(1).shape.Should().Equal(3, 1);
        v.unsqueeze(-1).shape.Should().Equal(3, 1);
        unsqueeze(v, 0).ShouldBeClose([1, 2, 3]);

        var s = zeros([1, 2, 1, 3]);
        s.squeeze().shape.Should().Equal(2, 3);
        s.squeeze(0).shape.Should().Equal(2, 1, 3);
        s.squeeze(2).shape.Should().Equal(1, 2, 3);
        s.squeeze(1).shape.Should().Equal(1, 2, 1, 3);     // size 2: nothing to squeeze
        squeeze(s, -2).shape.Should().Equal(1, 2, 3);
    }

    [Fact]
    public void transpose_t_permute_and_contiguous()
    {
        using var scope = NewDisposeScope();
        var m = M();
        var t = m.t();
        t.shape.Should().Equal(4, 3);
        // t[j, i] = m[i, j] = 4i + j.
        t.ShouldBeClose([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
        m.transpose(0, 1).ShouldBeClose(t.Values());
        transpose(m, -1, -2).shape.Should().Equal(4, 3);

        var c = t.contiguous();
        c.is_contiguous().Should().BeTrue();
        c.ShouldBeClose(t.Values());
        // contiguous() of a tensor that already is contiguous is the same data, not a copy.
        m.contiguous()[0, 0] = tensor(42f);
        m[0, 0].item<float>().Should().Be(42f);
        m[0, 0] = tensor(0f);

        // permute(2, 0, 1) of a (2, 3, 4) tensor: out[k, i, j] = x[i, j, k].
        var xv = Enumerable.Range(0, 24).Select(i => (double)i).ToArray();
        var x = tensor(xv, [2, 3, 4]);
        var p = x.permute(2, 0, 1);
        p.shape.Should().Equal(4, 2, 3);
        var expected = new double[24];
        for (var i = 0; i < 2; i++)
            for (var j = 0; j < 3; j++)
                for (var k = 0; k < 4; k++)
                    expected[(k * 2 + i) * 3 + j] = xv[(i * 3 + j) * 4 + k];
        p.ShouldBeClose(expected);
        permute(x, 1, 2, 0).shape.Should().Equal(3, 4, 2);
    }

    [Fact]
    public void expand_broadcasts_without_copying_and_repeat_copies()
    {
        using var scope = NewDisposeScope();
        var col = tensor(new float[] { 1, 2, 3 }, [3, 1]);
        var e = col.expand(3, 4);
        e.ShouldBe([3, 4], ScalarType.Float32, [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
        col.expand(-1, 2).shape.Should().Equal(3, 2);
        col.expand_as(zeros(2, 3, 5)).shape.Should().Equal(2, 3, 5);

        // expand is a view: changing the base shows through every expanded column.
        col[0, 0] = tensor(10f);
        e[0].ShouldBeClose([10, 10, 10, 10]);

        var r = tensor(new float[] { 1, 2 }).repeat(2, 2);
        r.ShouldBe([2, 4], ScalarType.Float32, [1, 2, 1, 2, 1, 2, 1, 2]);
    }

    [Fact]
    public void cat_and_stack()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[,] { { 1, 2 }, { 3, 4 } });
        var b = tensor(new float[,] { { 5, 6 } });
        cat([a, b]).ShouldBe([3, 2], ScalarType.Float32, [1, 2, 3, 4, 5, 6]);
        concatenate([a, b], 0).shape.Should().Equal(3, 2);
        cat([a, b.t()], 1).ShouldBe([2, 3], ScalarType.Float32, [1, 2, 5, 3, 4, 6]);

        var u = tensor(new float[] { 1, 2, 3 });
        var w = tensor(new float[] { 4, 5, 6 });
        stack([u, w]).ShouldBe([2, 3], ScalarType.Float32, [1, 2, 3, 4, 5, 6]);
        stack([u, w], 1).ShouldBe([3, 2], ScalarType.Float32, [1, 4, 2, 5, 3, 6]);
        stack(new List<Tensor> { u, w, u }, -1).shape.Should().Equal(3, 3);
        // cat promotes like arithmetic: float32 with float64 gives float64.
        cat([u, tensor(new double[] { 7 })]).dtype.Should().Be(ScalarType.Float64);
    }

    [Fact]
    public void narrow_select_and_slice_are_views()
    {
        using var scope = NewDisposeScope();
        var m = M();
        m.narrow(1, 1, 2).ShouldBe([3, 2], ScalarType.Float32, [1, 2, 5, 6, 9, 10]);
        narrow(m, 0, 2, 1).ShouldBeClose([8, 9, 10, 11]);
        m.select(0, 1).ShouldBe([4], ScalarType.Float32, [4, 5, 6, 7]);
        m.select(1, -1).ShouldBeClose([3, 7, 11]);
        m.slice(1, 0, 4, 2).ShouldBe([3, 2], ScalarType.Float32, [0, 2, 4, 6, 8, 10]);
        m.slice(-1, 1, 3).ShouldBeClose([1, 2, 5, 6, 9, 10]);

        // Writing into the narrowed view changes the base.
        m.narrow(1, 1, 2).fill_(0);
        m.ShouldBeClose([0, 0, 0, 3, 4, 0, 0, 7, 8, 0, 0, 11]);
        m.select(0, 2).zero_();
        m[2].ShouldBeClose([0, 0, 0, 0]);
    }

    [Fact]
    public void integer_and_range_indexing()
    {
        using var scope = NewDisposeScope();
        var m = M();
        m[1].ShouldBe([4], ScalarType.Float32, [4, 5, 6, 7]);
        m[-1].ShouldBeClose([8, 9, 10, 11]);
        m[1, 2].ShouldBe([], ScalarType.Float32, [6]);
        m[2, -1].item<float>().Should().Be(11);
        arange(24).reshape(2, 3, 4)[1, 2, 3].item<long>().Should().Be(23);    // 12 + 2·4 + 3

        m[TensorIndex.Colon, 1].ShouldBe([3], ScalarType.Float32, [1, 5, 9]);
        m[.., 1].ShouldBeClose([1, 5, 9]);
        m[1..3].ShouldBe([2, 4], ScalarType.Float32, [4, 5, 6, 7, 8, 9, 10, 11]);
        m[.., 1..3].ShouldBe([3, 2], ScalarType.Float32, [1, 2, 5, 6, 9, 10]);
        m[^2..].ShouldBe([2, 4], ScalarType.Float32, [4, 5, 6, 7, 8, 9, 10, 11]);
        m[..^2].ShouldBe([1, 4], ScalarType.Float32, [0, 1, 2, 3]);
        m[..].shape.Should().Equal(3, 4);
        m[1.., -1].ShouldBeClose([7, 11]);
        m[TensorIndex.Slice(null, null, 2)].ShouldBe([2, 4], ScalarType.Float32, [0, 1, 2, 3, 8, 9, 10, 11]);
        m[TensorIndex.Colon, TensorIndex.Slice(1, null, 2)].ShouldBeClose([1, 3, 5, 7, 9, 11]);
        m[TensorIndex.Ellipsis, 0].ShouldBeClose([0, 4, 8]);
        m[TensorIndex.None].shape.Should().Equal(1, 3, 4);
        m[TensorIndex.Colon, TensorIndex.None].shape.Should().Equal(3, 1, 4);
        m[TensorIndex.Single(0)].ShouldBeClose([0, 1, 2, 3]);
        m.index(TensorIndex.Bool(true)).shape.Should().Equal(1, 3, 4);
        m.index(TensorIndex.Bool(false)).shape.Should().Equal(0, 3, 4);
    }

    [Fact]
    public void ranges_that_start_at_the_end_are_empty()
    {
        using var scope = NewDisposeScope();
        var m = M();
        // C#: ^0.. starts at the length, so it selects nothing (as a[len(a):] in Python).
        m[^0..].shape.Should().Equal(0, 4);
        m[.., ^0..].shape.Should().Equal(3, 0);
        m[3..].shape.Should().Equal(0, 4);
        var slice = () => TensorIndex.Slice(0, 1, 0);
        slice.Should().Throw<ArgumentException>().WithMessage("A slice step cannot be zero*");
    }

    [Fact]
    public void tensor_and_mask_indexing()
    {
        using var scope = NewDisposeScope();
        var m = M();
        m[tensor(new long[] { 2, 0 })].ShouldBe([2, 4], ScalarType.Float32, [8, 9, 10, 11, 0, 1, 2, 3]);
        m[TensorIndex.Colon, tensor(new long[] { 3, 3 })].ShouldBe([3, 2], ScalarType.Float32, [3, 3, 7, 7, 11, 11]);
        // Two index tensors pick pairs: (0, 1) and (2, 3).
        m[tensor(new long[] { 0, 2 }), tensor(new long[] { 1, 3 })].ShouldBeClose([1, 11]);

        var mask = m > 5;
        m[mask].ShouldBe([6], ScalarType.Float32, [6, 7, 8, 9, 10, 11]);
        m.masked_select(m % 5 == 0).ShouldBeClose([0, 5, 10]);
        // A 1-D mask selects rows.
        m[tensor(new[] { true, false, true })].ShouldBe([2, 4], ScalarType.Float32, [0, 1, 2, 3, 8, 9, 10, 11]);
    }

    [Fact]
    public void index_put_writes_in_place_with_broadcasting()
    {
        using var scope = NewDisposeScope();
        var m = M();
        m.index_put_(0.5, m > 9.5);                                // a scalar where the mask is true: 10, 11 -> 0.5
        var same = m.index_put_(tensor(100f), 0, 0);
        same.Should().BeSameAs(m);
        m[1] = tensor(new float[] { -1, -2, -3, -4 });
        m[TensorIndex.Colon, 3] = tensor(7f);                      // a 0-D value broadcasts down the column
        m.ShouldBeClose([100, 1, 2, 7, -1, -2, -3, 7, 8, 9, 0.5, 7]);

        m.index_put_(tensor(new float[] { 40, 41 }), tensor(new long[] { 0, 2 }), 1);   // m[0,1] = 40, m[2,1] = 41
        m[0, 1].item<float>().Should().Be(40);
        m[2, 1].item<float>().Should().Be(41);
        m[1..3, 0] = tensor(new float[] { 50, 51 });
        m.select(1, 0).ShouldBeClose([100, 50, 51]);
    }

    [Fact]
    public void index_select_gather_scatter_and_scatter_add()
    {
        using var scope = NewDisposeScope();
        var m = M();
        m.index_select(1, tensor(new long[] { 0, 3 })).ShouldBe([3, 2], ScalarType.Float32, [0, 3, 4, 7, 8, 11]);
        index_select(m, 0, tensor(new long[] { 2, 2 })).ShouldBeClose([8, 9, 10, 11, 8, 9, 10, 11]);

        // gather along dim 1: out[i][j] = m[i][idx[i][j]].
        var idx = tensor(new long[,] { { 3, 0 }, { 1, 1 }, { 2, 0 } });
        m.gather(1, idx).ShouldBe([3, 2], ScalarType.Float32, [3, 0, 5, 5, 10, 8]);
        // gather along dim 0: out[i][j] = m[idx0[i][j]][j].
        gather(m, 0, tensor(new long[,] { { 2, 0, 1, 0 } })).ShouldBeClose([8, 1, 6, 3]);

        // scatter along dim 1: out[i][idx[i][j]] = src[i][j].
        var z = zeros(2, 4);
        var src = tensor(new float[,] { { 1, 2 }, { 3, 4 } });
        var sidx = tensor(new long[,] { { 3, 1 }, { 0, 2 } });
        z.scatter(1, sidx, src).ShouldBe([2, 4], ScalarType.Float32, [0, 2, 0, 1, 3, 0, 4, 0]);
        scatter(z, 1, sidx, src).ShouldBeClose([0, 2, 0, 1, 3, 0, 4, 0]);
        z.scatter(1, sidx, 9).ShouldBeClose([0, 9, 0, 9, 9, 0, 9, 0]);
        z.ShouldBeClose([0, 0, 0, 0, 0, 0, 0, 0], what: "scatter is not in place");

        // scatter_add accumulates duplicates: row 0 gets 1 + 2 at column 1.
        var dup = tensor(new long[,] { { 1, 1 }, { 0, 3 } });
        z.scatter_add(1, dup, src).ShouldBeClose([0, 3, 0, 0, 3, 0, 0, 4]);
        scatter_add(ones(2, 4), 1, dup, src).ShouldBeClose([1, 4, 1, 1, 4, 1, 1, 5]);
    }

    [Fact]
    public void one_hot_encodes_int64_class_indices()
    {
        using var scope = NewDisposeScope();
        var oh = nn.functional.one_hot(tensor(new long[] { 0, 2, 1 }), 4);
        oh.ShouldBe([3, 4], ScalarType.Int64, [1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0]);
        // -1 infers the number of classes as max + 1 = 3.
        nn.functional.one_hot(tensor(new long[,] { { 2 }, { 0 } })).shape.Should().Equal(2, 1, 3);
        var wrongType = () => nn.functional.one_hot(tensor(new[] { 0, 1 }));
        wrongType.Should().Throw<ArgumentException>().WithMessage("one_hot: class indices must be int64*");
    }

    [Fact]
    public void to_converts_dtypes_and_shares_data_only_when_nothing_changes()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.7, -1.7, 0.0 });
        x.to(ScalarType.Int64).ToArray<long>().Should().Equal(1L, -1L, 0L);      // truncation toward zero
        x.@long().dtype.Should().Be(ScalarType.Int64);
        x.@int().ToArray<int>().Should().Equal(1, -1, 0);
        x.@bool().ToArray<bool>().Should().Equal(true, true, false);
        x.@float().ToArray<float>().Should().Equal(1.7f, -1.7f, 0f);
        x.@float().@double().dtype.Should().Be(ScalarType.Float64);
        x.type(ScalarType.Float32).dtype.Should().Be(ScalarType.Float32);
        x.to_type(ScalarType.Int32).dtype.Should().Be(ScalarType.Int32);
        x.type_as(tensor(new[] { 1 })).dtype.Should().Be(ScalarType.Int32);
        x.to(zeros(1)).dtype.Should().Be(ScalarType.Float32);
        x.to(CPU).device.Should().Be(CPU);
        x.to("cpu").device.Should().Be(CPU);
        x.cpu().device.Should().Be(CPU);

        // Converting to the same dtype without copy gives the same data (as PyTorch's .to); with copy, new data.
        var same = x.to(ScalarType.Float64);
        same.Should().NotBeSameAs(x);
        same[0] = tensor(5.0);
        x[0].item<double>().Should().Be(5.0);
        var copy = x.to(ScalarType.Float64, copy: true);
        copy[0] = tensor(6.0);
        x[0].item<double>().Should().Be(5.0);
    }

    [Fact]
    public void clone_copies_and_detach_shares()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        var c = x.clone();
        c.requires_grad.Should().BeTrue("clone stays in the graph");
        c.is_leaf.Should().BeFalse();
        var d = x.detach();
        d.requires_grad.Should().BeFalse();
        d.is_leaf.Should().BeTrue();

        using (no_grad()) x.add_(1);
        c.ShouldBeClose([1, 2], what: "the clone keeps the old values");
        d.ShouldBeClose([2, 3], what: "the detached tensor sees the new values");
        clone(d).ShouldBeClose([2, 3]);

        var a = x.alias();
        a.Should().NotBeSameAs(x);
        a.Handle.Should().NotBe(x.Handle);
        a.requires_grad.Should().BeTrue("an alias is the same tensor");
    }
}
