namespace LossKit.Torch;

/// <summary>
/// Disposes, when it is disposed, every tensor created on this thread while it was the innermost scope, except the
/// ones moved out of it. Create one with <see cref="torch.NewDisposeScope"/>, as in TorchSharp:
/// <code>
/// using (var scope = torch.NewDisposeScope())
/// {
///     var loss = criterion.call(model.call(x), y);   // every intermediate tensor belongs to the scope
///     loss.backward();
///     result = loss.item&lt;float&gt;();
/// }                                                  // ... and is freed here
/// </code>
/// </summary>
/// <remarks>
/// Scopes are per thread and nest: a tensor belongs to the innermost scope of the thread that created it.
/// <see cref="torch.Tensor.MoveToOuterDisposeScope"/> hands it to the next scope out (or to nobody when there is
/// none); <see cref="torch.Tensor.DetachFromDisposeScope"/> takes it out of every scope, so the caller owns it.
/// A scope is not thread-safe: use it from the thread that created it. Parameters (<see cref="Modules.Parameter"/>)
/// are never registered: their lifetime belongs to the module that holds them.
/// </remarks>
public sealed class DisposeScope : IDisposable
{
    private readonly DisposeScopeManager _manager;
    private readonly HashSet<IDisposable> _disposables = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    internal DisposeScope(DisposeScopeManager manager, DisposeScope? outer)
    {
        _manager = manager;
        OuterScope = outer;
    }

    /// <summary>The scope that was innermost when this one was created, or null.</summary>
    public DisposeScope? OuterScope { get; }

    /// <summary>How many disposables the scope currently owns.</summary>
    public int DisposablesCount => _disposables.Count;

    /// <summary>A snapshot of the disposables the scope currently owns.</summary>
    public IReadOnlyList<IDisposable> DisposablesView => _disposables.ToList();

    /// <summary>True when the scope owns <paramref name="disposable"/>.</summary>
    public bool Contains(IDisposable disposable) => _disposables.Contains(disposable);

    /// <summary>Makes the scope own <paramref name="disposable"/> (taking it from any other scope).</summary>
    public T Include<T>(T disposable) where T : IDisposable
    {
        ThrowIfDisposed();
        if (disposable is torch.Tensor t)
        {
            t.OwningDisposeScope?.Forget(t);
            t.OwningDisposeScope = this;
        }
        _disposables.Add(disposable);
        return disposable;
    }

    /// <summary>Moves <paramref name="disposable"/> to the next scope out (or detaches it when there is none).</summary>
    public T MoveToOuter<T>(T disposable) where T : IDisposable => MoveToOther(OuterScope, disposable);

    /// <summary>Moves two disposables to the next scope out.</summary>
    public (T1 first, T2 second) MoveToOuter<T1, T2>(T1 first, T2 second) where T1 : IDisposable where T2 : IDisposable =>
        (MoveToOuter(first), MoveToOuter(second));

    /// <summary>Moves three disposables to the next scope out.</summary>
    public (T1 first, T2 second, T3 third) MoveToOuter<T1, T2, T3>(T1 first, T2 second, T3 third)
        where T1 : IDisposable where T2 : IDisposable where T3 : IDisposable =>
        (MoveToOuter(first), MoveToOuter(second), MoveToOuter(third));

    /// <summary>Moves each disposable to the next scope out.</summary>
    public void MoveToOuter(params IDisposable[] disposables) => MoveToOuter((IEnumerable<IDisposable>)disposables);

    /// <summary>Moves each disposable to the next scope out.</summary>
    public void MoveToOuter(IEnumerable<IDisposable> disposables)
    {
        foreach (var d in disposables) MoveToOuter(d);
    }

    /// <summary>Moves <paramref name="disposable"/> to <paramref name="scope"/> (null detaches it).</summary>
    public T MoveToOther<T>(DisposeScope? scope, T disposable) where T : IDisposable
    {
        Forget(disposable);
        if (scope is not null && !scope._disposed) scope.Include(disposable);
        else if (disposable is torch.Tensor t) t.OnLeftDisposeScopes();
        return disposable;
    }

    /// <summary>Takes <paramref name="disposable"/> out of this scope: the caller owns it from now on.</summary>
    public T Detach<T>(T disposable) where T : IDisposable
    {
        Forget(disposable);
        if (disposable is torch.Tensor t) t.OnLeftDisposeScopes();
        return disposable;
    }

    /// <summary>Takes each disposable out of this scope.</summary>
    public void Detach(params IDisposable[] disposables) => Detach((IEnumerable<IDisposable>)disposables);

    /// <summary>Takes each disposable out of this scope.</summary>
    public void Detach(IEnumerable<IDisposable> disposables)
    {
        foreach (var d in disposables) Detach(d);
    }

    /// <summary>Disposes everything the scope owns now; the scope stays usable.</summary>
    public void DisposeEverything() => DisposeEverythingBut(Array.Empty<IDisposable>());

    /// <summary>Disposes everything the scope owns except <paramref name="keep"/>, which stay in the scope.</summary>
    public void DisposeEverythingBut(params IDisposable[] keep) => DisposeEverythingBut((IEnumerable<IDisposable>)keep);

    /// <summary>Disposes everything the scope owns except <paramref name="keep"/>, which stay in the scope.</summary>
    public void DisposeEverythingBut(IEnumerable<IDisposable> keep)
    {
        var kept = new HashSet<IDisposable>(keep, ReferenceEqualityComparer.Instance);
        var victims = _disposables.Where(d => !kept.Contains(d)).ToList();
        foreach (var d in victims)
        {
            Forget(d);
            d.Dispose();
        }
    }

    /// <summary>Disposes everything the scope owns except <paramref name="keep"/>, and returns it.</summary>
    public T DisposeEverythingBut<T>(T keep) where T : IDisposable
    {
        DisposeEverythingBut(new IDisposable[] { keep });
        return keep;
    }

    /// <summary>Disposes everything the scope owns and ends the scope.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        DisposeEverything();
        _disposed = true;
        _manager.Remove(this);
    }

    // Called by a tensor that is disposed or moved by itself, so the scope does not keep it.
    internal void Forget(IDisposable disposable)
    {
        if (_disposables.Remove(disposable) && disposable is torch.Tensor t && ReferenceEquals(t.OwningDisposeScope, this))
            t.OwningDisposeScope = null;
    }

    // Registration of a new tensor: the hot path, so no checks beyond what is needed.
    internal void Register(torch.Tensor tensor)
    {
        tensor.OwningDisposeScope = this;
        _disposables.Add(tensor);
    }

    private void ThrowIfDisposed()
    {
        if (_disposed) throw new ObjectDisposedException(nameof(DisposeScope), "This dispose scope has already been disposed.");
    }
}
