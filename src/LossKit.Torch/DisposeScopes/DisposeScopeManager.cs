namespace LossKit.Torch;

/// <summary>The stack of open <see cref="DisposeScope"/>s of one thread.</summary>
public sealed class DisposeScopeManager
{
    [ThreadStatic] private static DisposeScopeManager? _threadSingleton;

    private readonly List<DisposeScope> _scopes = new();

    private DisposeScopeManager() { }

    /// <summary>The calling thread's manager.</summary>
    public static DisposeScopeManager ThreadSingleton => _threadSingleton ??= new DisposeScopeManager();

    /// <summary>The calling thread's innermost open scope, or null.</summary>
    internal static DisposeScope? CurrentScope
    {
        get
        {
            var m = _threadSingleton;
            return m is null || m._scopes.Count == 0 ? null : m._scopes[^1];
        }
    }

    /// <summary>How many scopes are open on this thread.</summary>
    public int ScopeCount => _scopes.Count;

    /// <summary>Opens a new innermost scope on the calling thread.</summary>
    public static DisposeScope NewDisposeScope()
    {
        var m = ThreadSingleton;
        var scope = new DisposeScope(m, m._scopes.Count == 0 ? null : m._scopes[^1]);
        m._scopes.Add(scope);
        return scope;
    }

    internal void Remove(DisposeScope scope)
    {
        // Usually the innermost; a scope disposed out of order is removed wherever it is.
        var i = _scopes.LastIndexOf(scope);
        if (i >= 0) _scopes.RemoveAt(i);
    }
}
