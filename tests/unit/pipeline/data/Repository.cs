using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Data.Access
{
    public interface IEntity<TKey> where TKey : notnull
    {
        TKey Id { get; }
    }

    public interface IRepository<TEntity, TKey> where TEntity : IEntity<TKey> where TKey : notnull
    {
        Task<TEntity?> FindAsync(TKey id, CancellationToken token = default);
        Task<IReadOnlyList<TEntity>> ListAsync(Func<TEntity, bool>? filter = null, CancellationToken token = default);
        Task SaveAsync(TEntity entity, CancellationToken token = default);
        Task<bool> DeleteAsync(TKey id, CancellationToken token = default);
    }

    public abstract class RepositoryBase<TEntity, TKey> : IRepository<TEntity, TKey>
        where TEntity : class, IEntity<TKey>
        where TKey : notnull
    {
        public event Action<TEntity>? Saved;

        public abstract Task<TEntity?> FindAsync(TKey id, CancellationToken token = default);

        public abstract Task<IReadOnlyList<TEntity>> ListAsync(Func<TEntity, bool>? filter = null, CancellationToken token = default);

        public async Task SaveAsync(TEntity entity, CancellationToken token = default)
        {
            if (entity is null)
            {
                throw new ArgumentNullException(nameof(entity));
            }
            await StoreAsync(entity, token).ConfigureAwait(false);
            Saved?.Invoke(entity);
        }

        public abstract Task<bool> DeleteAsync(TKey id, CancellationToken token = default);

        protected abstract Task StoreAsync(TEntity entity, CancellationToken token);
    }

    public sealed class InMemoryRepository<TEntity, TKey> : RepositoryBase<TEntity, TKey>
        where TEntity : class, IEntity<TKey>
        where TKey : notnull
    {
        private readonly ConcurrentDictionary<TKey, TEntity> _items = new ConcurrentDictionary<TKey, TEntity>();

        public int Count => _items.Count;

        public override Task<TEntity?> FindAsync(TKey id, CancellationToken token = default)
        {
            token.ThrowIfCancellationRequested();
            return Task.FromResult(_items.TryGetValue(id, out var found) ? found : null);
        }

        public override Task<IReadOnlyList<TEntity>> ListAsync(Func<TEntity, bool>? filter = null, CancellationToken token = default)
        {
            IReadOnlyList<TEntity> result = _items.Values.Where(filter ?? (_ => true)).ToList();
            return Task.FromResult(result);
        }

        public override Task<bool> DeleteAsync(TKey id, CancellationToken token = default)
        {
            return Task.FromResult(_items.TryRemove(id, out _));
        }

        protected override Task StoreAsync(TEntity entity, CancellationToken token)
        {
            _items[entity.Id] = entity;
            return Task.CompletedTask;
        }
    }

    public static class RepositoryExtensions
    {
        public static async Task<TEntity> GetRequiredAsync<TEntity, TKey>(
            this IRepository<TEntity, TKey> repository, TKey id, CancellationToken token = default)
            where TEntity : IEntity<TKey>
            where TKey : notnull
        {
            var entity = await repository.FindAsync(id, token).ConfigureAwait(false);
            return entity ?? throw new KeyNotFoundException($"no entity with id {id}");
        }

        public static async Task<int> SaveAllAsync<TEntity, TKey>(
            this IRepository<TEntity, TKey> repository, IEnumerable<TEntity> entities)
            where TEntity : IEntity<TKey>
            where TKey : notnull
        {
            var count = 0;
            foreach (var entity in entities)
            {
                await repository.SaveAsync(entity).ConfigureAwait(false);
                count++;
            }
            return count;
        }
    }

    public sealed record Customer(Guid Id, string Name, string Email) : IEntity<Guid>;
}
